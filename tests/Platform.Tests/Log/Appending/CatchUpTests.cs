using Microsoft.Extensions.Logging.Abstractions;
using Platform.Core.Log;
using Platform.Core.Log.Appending;
using Platform.Core.Log.Batches;
using Platform.Core.Log.Topics;
using Platform.Core.Options;
using Platform.Core.Storage;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Log.Appending;

/// <summary>
/// A writer that lost its race catches up with one read of the segment's end and, past what that read holds, chunk by
/// chunk: batches that straddle the first read or are larger than it are followed whole.
/// </summary>
public sealed class CatchUpTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_writer_catches_up_across_batches_larger_than_and_straddling_its_first_read()
    {
        StorageSet shared = StorageSet.InMemory();
        var options = new LogOptions { MaxBatchBytes = 1024 * 1024 };
        await using var a = new TestEngine(shared, options);
        await using var b = new TestEngine(shared, options);
        var tp = new TopicPartition("catch-up", 0);
        await a.Topics.CreateAsync(new TopicConfig { Name = tp.Topic, Partitions = 1, MaxRecordBytes = 1024 * 1024 }, default);
        await a.Producer.ProduceAsync(tp.Topic, [Records.Text("a0")], default).WaitAsync(Guard);

        // b appends about 700 KiB while a is not looking: three batches of 100 KiB (the third straddles a's first read of
        // 256 KiB), one of 300 KiB (larger than that read) and a small one.
        string[] fromB = [.. new[] { 100, 100, 100, 300 }.Select((kib, i) => $"b{i}-" + new string((char)('k' + i), kib * 1024)), "b-small"];
        foreach (string value in fromB)
        {
            await b.Producer.ProduceAsync(tp.Topic, [Records.Text(value)], default).WaitAsync(Guard);
        }

        ProduceResult last = await a.Producer.ProduceAsync(tp.Topic, [Records.Text("a1")], default).WaitAsync(Guard);
        Assert.Equal(fromB.Length + 1, last.Records[0].Offset);

        var log = await Records.ReadAllAsync(a.Reader, tp.Topic, 0);
        Assert.Equal(["a0", .. fromB, "a1"], log.Select(r => r.Text()));
        Assert.Equal(Enumerable.Range(0, fromB.Length + 2).Select(i => (long)i), log.Select(r => r.Offset));
    }

    [Fact]
    public async Task Only_a_race_lost_to_another_writer_counts_as_contention()
    {
        // A storage client's retry of an append whose first try landed fails with 412 too; that says nothing about other
        // writers, and must not make a lone instance linger as if it shared the partition.
        StorageSet memory = StorageSet.InMemory();
        var scripted = new ScriptedSegmentStore(memory.Segments);
        var tp = new TopicPartition("races", 0);
        var options = new LogOptions();
        var writer = new PartitionWriter(tp, scripted, options, TimeProvider.System, NullLogger.Instance);
        var other = new PartitionWriter(tp, memory.Segments, options, TimeProvider.System, NullLogger.Instance);
        await Append(writer, 1, 0);

        scripted.ReplaceOutcome = (_, applied) => applied.Status == AppendStatus.Appended ? new AppendOutcome(AppendStatus.PositionMismatch) : applied;
        await Append(writer, 1, 1);
        scripted.ReplaceOutcome = null;
        Assert.Equal((1, 0), (writer.LostRaces, writer.RacesLostToOthers));

        await Append(other, 2, 0);
        await Append(writer, 1, 2);
        Assert.Equal((1, 1), (writer.LostRaces, writer.RacesLostToOthers));

        static async Task Append(PartitionWriter w, long producer, int sequence)
        {
            using EncodedBatch batch = RecordBatchEncoder.Encode([Records.Text($"p{producer}-{sequence}")], CompressionCodec.None, new ProducerStamp(producer, 0, sequence), 0);
            await w.AppendAsync(batch, ownIdentity: true, default).WaitAsync(Guard);
        }
    }
}
