using Azure;
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
/// Where another writer has usually appended since this one's last append, reading the end first replaces the refused
/// append and the read after it with the read alone; where the end moves again before the append lands, reading first
/// stops, since it then only adds a request.
/// </summary>
public sealed class ReadFirstTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_writer_that_reads_first_appends_after_the_other_writers_batches_without_losing_a_race()
    {
        StorageSet memory = StorageSet.InMemory();
        var tp = new TopicPartition("read-first", 0);
        var options = new LogOptions();
        var writer = new PartitionWriter(tp, memory.Segments, options, TimeProvider.System, NullLogger.Instance) { ReadFirst = true };
        var other = new PartitionWriter(tp, memory.Segments, options, TimeProvider.System, NullLogger.Instance);
        Assert.Equal(0, (await Append(writer, 1, 0)).BaseOffset);

        // Nothing new: the read finds nothing, the append goes where it would have.
        Assert.Equal(1, (await Append(writer, 1, 1)).BaseOffset);
        Assert.Equal((0, false), (writer.LostRaces, writer.FoundOthers));

        Assert.Equal(2, (await Append(other, 2, 0)).BaseOffset);
        Assert.Equal(3, (await Append(other, 2, 1)).BaseOffset);
        Assert.Equal(4, (await Append(writer, 1, 2)).BaseOffset);
        Assert.Equal((0, true), (writer.LostRaces, writer.FoundOthers));

        // Without reading first, the same turn costs a refused append.
        writer.ReadFirst = false;
        Assert.Equal(5, (await Append(other, 2, 2)).BaseOffset);
        Assert.Equal(6, (await Append(writer, 1, 3)).BaseOffset);
        Assert.Equal((1, true), (writer.LostRaces, writer.FoundOthers));
    }

    [Fact]
    public async Task A_failed_read_first_leaves_the_append_to_its_condition()
    {
        await using var engine = new TestEngine(StorageSet.InMemory());
        (ScriptedSegmentStore scripted, PartitionWriter writer, PartitionWriter other) = await TwoWritersAsync(engine, "read-first-fails");
        await Append(writer, 1, 0);
        await Append(other, 2, 0);

        int failures = 1;
        scripted.BeforeRead = (_, _) => Interlocked.Decrement(ref failures) >= 0 ? throw new RequestFailedException(503, "Server busy") : Task.CompletedTask;
        AppendResult result = await Append(writer, 1, 1);

        // The read first failed; the append aimed at the stale end, lost, caught up and landed after the other's batch.
        Assert.Equal((2L, 1), (result.BaseOffset, writer.LostRaces));
        var log = await Records.ReadAllAsync(engine.Reader, writer.Partition.Topic, 0);
        Assert.Equal(["p1-0", "p2-0", "p1-1"], log.Select(r => r.Text()));
    }

    [Fact]
    public async Task A_read_first_cut_short_half_way_is_caught_up_before_the_append_is_aimed()
    {
        await using var engine = new TestEngine(StorageSet.InMemory());
        (ScriptedSegmentStore scripted, PartitionWriter writer, PartitionWriter other) = await TwoWritersAsync(engine, "read-first-half-way");
        await Append(writer, 1, 0);

        // 400 KiB from the other writer: more than the read first takes in its first request, so it goes on chunk by chunk.
        for (int i = 0; i < 4; i++)
        {
            using EncodedBatch big = RecordBatchEncoder.Encode([Records.Text($"p2-{i}-" + new string('x', 100 * 1024))], CompressionCodec.None, new ProducerStamp(2, 0, i), 0);
            await other.AppendAsync(big, ownIdentity: true, default).WaitAsync(Guard);
        }

        int reads = 0;
        scripted.BeforeRead = (_, _) => Interlocked.Increment(ref reads) == 2 ? throw new RequestFailedException(503, "Server busy") : Task.CompletedTask;
        AppendResult result = await Append(writer, 1, 1);

        // Two of the other's batches were folded in when the second read failed: the writer caught up the rest before
        // appending, instead of aiming at an end it knew to be short.
        Assert.Equal((5L, 0, true), (result.BaseOffset, writer.LostRaces, writer.FoundOthers));
        var log = await Records.ReadAllAsync(engine.Reader, writer.Partition.Topic, 0, maxBytes: 1024 * 1024);
        Assert.Equal(["p1-0", "p2-0", "p2-1", "p2-2", "p2-3", "p1-1"], log.Select(r => r.Text()[..4]));
    }

    [Fact]
    public async Task Appenders_taking_turns_learn_to_read_first_and_stop_losing_races()
    {
        StorageSet memory = StorageSet.InMemory();
        int refused = 0;
        ScriptedSegmentStore Counting() => new(memory.Segments)
        {
            AfterAppend = (_, outcome, _) =>
            {
                if (outcome.Status == AppendStatus.PositionMismatch)
                {
                    Interlocked.Increment(ref refused);
                }

                return Task.CompletedTask;
            },
        };

        await using var a = new TestEngine(memory with { Segments = Counting() });
        await using var b = new TestEngine(memory with { Segments = Counting() });
        var tp = new TopicPartition("turns-read-first", 0);
        await a.Topics.CreateAsync(new TopicConfig { Name = tp.Topic, Partitions = 1 }, default);

        const int Appends = 60;
        for (int i = 0; i < Appends; i++)
        {
            ProduceResult r = await (i % 2 == 0 ? a : b).Producer.ProduceAsync(tp.Topic, [Records.Text($"r{i}")], default).WaitAsync(Guard);
            Assert.Equal(i, r.Records[0].Offset);
        }

        // Every append after the first two follows one of the other writer's. Aimed at the writer's own last end, each
        // would lose its race (58 refused appends); each writer reads first from its sixth turn on.
        Assert.InRange(refused, 1, 12);
        var log = await Records.ReadAllAsync(a.Reader, tp.Topic, 0);
        Assert.Equal(Enumerable.Range(0, Appends).Select(i => $"r{i}"), log.Select(r => r.Text()));
    }

    [Fact]
    public async Task An_appender_stops_reading_first_when_the_end_moves_again_before_its_append_lands()
    {
        StorageSet memory = StorageSet.InMemory();
        var tp = new TopicPartition("read-first-wasted", 0);
        var other = new PartitionWriter(tp, memory.Segments, new LogOptions(), TimeProvider.System, NullLogger.Instance);
        int otherSequence = 0;
        bool beforeFirstAttempt = false;
        int readsFirst = 0;
        var scripted = new ScriptedSegmentStore(memory.Segments);
        scripted.BeforeLook = _ =>
        {
            if (beforeFirstAttempt)
            {
                readsFirst++; // the read first looks at the segment's length (in memory) before reading past its known end
            }
        };
        scripted.BeforeAppend = async (_, _) =>
        {
            if (beforeFirstAttempt)
            {
                // Another writer's batch lands between this writer's read and its first attempt, every time.
                beforeFirstAttempt = false;
                await Append(other, 2, otherSequence++);
            }
        };

        await using var engine = new TestEngine(memory with { Segments = scripted });
        await engine.Topics.CreateAsync(new TopicConfig { Name = tp.Topic, Partitions = 1 }, default);
        await engine.Producer.ProduceAsync(tp.Topic, [Records.Text("first")], default).WaitAsync(Guard);

        const int Appends = 60;
        for (int i = 0; i < Appends; i++)
        {
            beforeFirstAttempt = true;
            await engine.Producer.ProduceAsync(tp.Topic, [Records.Text($"r{i}")], default).WaitAsync(Guard);
        }

        // It starts reading first once the other writer shows up in most turns (from the sixth), gives up after four
        // reads that did not spare a race, and tries again now and then: far fewer reads than appends.
        Assert.InRange(readsFirst, 1, 12);
        var log = await Records.ReadAllAsync(engine.Reader, tp.Topic, 0);
        Assert.Equal(1 + (2 * Appends), log.Count);
    }

    // A topic of one partition; a writer that reads first through a scripted store and another straight to storage.
    private static async Task<(ScriptedSegmentStore Scripted, PartitionWriter Writer, PartitionWriter Other)> TwoWritersAsync(TestEngine engine, string topic)
    {
        var scripted = new ScriptedSegmentStore(engine.Segments);
        var tp = new TopicPartition(topic, 0);
        await engine.Topics.CreateAsync(new TopicConfig { Name = topic, Partitions = 1 }, default);
        var options = new LogOptions();
        var writer = new PartitionWriter(tp, scripted, options, TimeProvider.System, NullLogger.Instance) { ReadFirst = true };
        var other = new PartitionWriter(tp, engine.Segments, options, TimeProvider.System, NullLogger.Instance);
        return (scripted, writer, other);
    }

    private static async Task<AppendResult> Append(PartitionWriter w, long producer, int sequence)
    {
        using EncodedBatch batch = RecordBatchEncoder.Encode([Records.Text($"p{producer}-{sequence}")], CompressionCodec.None, new ProducerStamp(producer, 0, sequence), 0);
        return await w.AppendAsync(batch, ownIdentity: true, default).WaitAsync(Guard);
    }
}
