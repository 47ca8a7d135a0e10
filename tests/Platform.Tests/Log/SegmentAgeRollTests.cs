using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Platform.Core.Log;
using Platform.Core.Log.Batches;
using Platform.Core.Log.Reading;
using Platform.Core.Log.Retention;
using Platform.Core.Log.Topics;
using Platform.Core.Options;
using Platform.Core.Storage;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Log;

/// <summary>Segments roll by age (segmentMs) with a seal marker: quiet partitions too, and safely beside writers.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class SegmentAgeRollTests(AzuriteFixture azurite)
{
    private static SegmentAgeRoller Roller(TestEngine engine, TimeProvider time) =>
        new(engine.Segments, Microsoft.Extensions.Options.Options.Create(engine.Options), time, NullLogger<SegmentAgeRoller>.Instance);

    private static async Task<RecordBatchHeader> LastBatchAsync(ISegmentStore store, TopicPartition tp, long segment)
    {
        SegmentInfo info = (await store.GetSegmentAsync(tp, segment, default))!.Value;
        byte[] trailer = new byte[RecordBatchTrailer.Size];
        await store.ReadAsync(tp, info.Ref, info.Length - RecordBatchTrailer.Size, trailer, default);
        var t = RecordBatchTrailer.Read(trailer);
        byte[] header = new byte[RecordBatchHeader.Size];
        await store.ReadAsync(tp, info.Ref, info.Length - t.BatchLength, header, default);
        return RecordBatchHeader.Read(header);
    }

    [Fact]
    public async Task A_quiet_partition_rolls_once_its_first_record_is_old_and_retention_can_then_take_it()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var stores = StorageSet.InMemory();
        await using var engine = new TestEngine(stores, new LogOptions(), time);
        await engine.Topics.CreateAsync(new TopicConfig { Name = "quiet", Partitions = 1, SegmentMs = 3_600_000, RetentionMs = 7_200_000 }, default);
        var tp = new TopicPartition("quiet", 0);
        for (int i = 0; i < 3; i++) await engine.Producer.ProduceAsync("quiet", [Records.Text($"old{i}")], default);
        var roller = Roller(engine, time);
        var retention = new RetentionEnforcer(engine.Topics, stores.Segments, stores.Index, time, NullLogger<RetentionEnforcer>.Instance, roller);

        time.Advance(TimeSpan.FromMinutes(59));
        await retention.EnforceAsync(default);
        Assert.Single(await stores.Segments.ListSegmentsAsync(tp, default));

        time.Advance(TimeSpan.FromMinutes(2));
        await retention.EnforceAsync(default);
        Assert.Equal([0L, 3L], await stores.Segments.ListSegmentsAsync(tp, default));
        Assert.True(SealMarker.Is(await LastBatchAsync(stores.Segments, tp, 0)));
        Assert.Equal(new PartitionOffsets(0, 3), await engine.Reader.GetOffsetsAsync("quiet", 0, default));

        // The writer that had the partition loaded meets the marker and appends after it, in the new segment.
        var next = await engine.Producer.ProduceAsync("quiet", [Records.Text("new")], default);
        Assert.Equal(3, next.Records[0].Offset);
        Assert.Equal(["old0", "old1", "old2", "new"], (await Records.ReadAllAsync(engine.Reader, "quiet", 0)).Select(r => r.Text()));

        // Past the retention time the sealed segment goes, though nobody wrote to it since (and the segment of "new",
        // now an hour and a half old too, rolls in turn: an empty active segment at 4 follows it).
        time.Advance(TimeSpan.FromMinutes(90));
        await retention.EnforceAsync(default);
        Assert.Equal([3L, 4L], await stores.Segments.ListSegmentsAsync(tp, default));
        Assert.Equal(new PartitionOffsets(3, 4), await engine.Reader.GetOffsetsAsync("quiet", 0, default));
        Assert.Equal(["new"], (await engine.Reader.FetchAsync("quiet", 0, 3, 1024 * 1024, 100, default)).Records.Select(r => r.Text()));
    }

    [Fact]
    public async Task A_writer_that_restarts_over_a_sealed_segment_rolls_and_offsets_stay_contiguous()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var stores = StorageSet.InMemory();
        var topic = new TopicConfig { Name = "restart", Partitions = 1, SegmentMs = 1000 };
        await using (var engine = new TestEngine(stores, new LogOptions(), time))
        {
            await engine.Topics.CreateAsync(topic, default);
            await engine.Producer.ProduceAsync("restart", [Records.Text("a"), Records.Text("b")], default);
            time.Advance(TimeSpan.FromSeconds(2));
            // The marker alone, as by a roller that died before creating the next segment.
            var tp = new TopicPartition("restart", 0);
            SegmentInfo info = (await stores.Segments.GetSegmentAsync(tp, 0, default))!.Value;
            var outcome = await stores.Segments.AppendAsync(tp, 0, SealMarker.Create(2, time.GetUtcNow().ToUnixTimeMilliseconds()), info.Length, info.Limits.HardLimitBytes, default);
            Assert.Equal(AppendStatus.Appended, outcome.Status);
        }

        await using var restarted = new TestEngine(stores, new LogOptions(), time);
        var result = await restarted.Producer.ProduceAsync("restart", [Records.Text("c")], default);
        Assert.Equal(2, result.Records[0].Offset);
        Assert.Equal([0L, 2L], await stores.Segments.ListSegmentsAsync(new TopicPartition("restart", 0), default));
        Assert.Equal(["a", "b", "c"], (await Records.ReadAllAsync(restarted.Reader, "restart", 0)).Select(r => r.Text()));
    }

    [Fact]
    public async Task Rolling_by_age_beside_busy_writers_on_azurite_loses_and_doubles_nothing()
    {
        var stores = await StorageSet.AzureAsync(azurite, nameof(Rolling_by_age_beside_busy_writers_on_azurite_loses_and_doubles_nothing));
        await using var engine = new TestEngine(stores, new LogOptions());
        await using var second = new TestEngine(stores, new LogOptions()); // another instance, its own writer
        await engine.Topics.CreateAsync(new TopicConfig { Name = "busy", Partitions = 1, SegmentMs = 1000 }, default);
        var acked = new ConcurrentDictionary<long, string>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(4));
        async Task WriteAsync(TestEngine e, string who)
        {
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                var r = await e.Producer.ProduceAsync("busy", [Records.Text($"{who}{i}")], default);
                Assert.True(acked.TryAdd(r.Records[0].Offset, $"{who}{i}"), $"offset {r.Records[0].Offset} given twice");
                await Task.Delay(2); // two instances racing in a tight loop starve one (the scale-out issue); a steady pace here
            }
        }

        var roller = Roller(engine, TimeProvider.System);
        var topic = await engine.Topics.GetAsync("busy", default);
        int rolls = 0;
        var rolling = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (await roller.RollIfDueAsync(topic, new TopicPartition("busy", 0), default)) rolls++;
                await Task.Delay(200);
            }
        });
        await Task.WhenAll(WriteAsync(engine, "a"), WriteAsync(second, "b"), rolling);

        // Busy writers seal by age themselves before appending (the roller, racing them, mostly finds a young segment).
        var segs = await stores.Segments.ListSegmentsAsync(new TopicPartition("busy", 0), default);
        Assert.True(segs.Count >= 3, $"{segs.Count} segments ({rolls} rolled by the timer's roller)");
        var read = await Records.ReadAllAsync(engine.Reader, "busy", 0);
        Assert.Equal(Enumerable.Range(0, acked.Count).Select(i => (long)i), read.Select(r => r.Offset));
        Assert.All(read, r => Assert.Equal(acked[r.Offset], r.Text()));
        foreach (long s in segs.SkipLast(1)) Assert.True(SealMarker.Is(await LastBatchAsync(stores.Segments, new TopicPartition("busy", 0), s)) || (await stores.Segments.GetSegmentAsync(new TopicPartition("busy", 0), s, default))!.Value.IsSealed);
    }
}
