using Platform.Core.Log;
using Platform.Core.Log.Appending;
using Platform.Core.Log.Topics;
using Platform.Core.Options;
using Platform.Core.Storage;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Log.Appending;

/// <summary>
/// Instances that append to one partition index it as one writer does: entries of about <c>IndexIntervalBytes</c> that
/// cover the partition without gaps, not an entry per batch with the other instances' batches left out.
/// </summary>
public sealed class SharedPartitionIndexTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Writers_taking_turns_on_a_partition_write_entries_per_interval_that_cover_every_offset()
    {
        StorageSet shared = StorageSet.InMemory();
        var index = new RecordingIndex(shared.Index);
        var options = new LogOptions { IndexIntervalBytes = 8 * 1024, IndexWriteDelay = TimeSpan.FromMinutes(1) };
        var a = new TestEngine(shared, options, index: index);
        var b = new TestEngine(shared, options, index: index);
        var tp = new TopicPartition("turns", 0);
        await a.Topics.CreateAsync(new TopicConfig { Name = tp.Topic, Partitions = 1 }, default);

        const int Appends = 200;
        for (int i = 0; i < Appends; i++)
        {
            // Every append after the first two follows one of the other writer's: it loses its race and reads that batch.
            TestEngine writer = i % 2 == 0 ? a : b;
            ProduceResult r = await writer.Producer.ProduceAsync(tp.Topic, [Records.Text($"r{i}-" + new string('x', 500))], default).WaitAsync(Guard);
            Assert.Equal(i, r.Records[0].Offset);
        }

        // Shutting down writes what waits: each writer's last run, shorter than the interval.
        await a.DisposeAsync().AsTask().WaitAsync(Guard);
        await b.DisposeAsync().AsTask().WaitAsync(Guard);

        // About 110 KiB of batches: 14 entries of 8 KiB per writer, and the last run of each. Indexing only
        // its own batches, each writer wrote one entry per batch (100 each), since the other's batches broke every run.
        int written = index.EntriesAdded;
        Assert.InRange(written, 2, 2 * ((Appends * 600 / (8 * 1024)) + 2));

        for (long offset = 0; offset < Appends; offset++)
        {
            // The entry a reader finds for an offset holds it: no reader takes the index for holed and walks back.
            BatchIndexEntry? entry = await index.FindByOffsetAsync(tp, offset, default);
            Assert.NotNull(entry);
            Assert.InRange(offset, entry.BaseOffset, entry.LastOffset);
        }

        var log = await Records.ReadAllAsync(a.Reader, tp.Topic, 0);
        Assert.Equal(Enumerable.Range(0, Appends).Select(i => $"r{i}-" + new string('x', 500)), log.Select(r => r.Text()));
        Assert.Equal(written, index.EntriesAdded); // nothing to repair
    }
}
