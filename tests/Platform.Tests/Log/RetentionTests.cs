using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Platform.Core.Log;
using Platform.Core.Log.Retention;
using Platform.Core.Log.Topics;
using Platform.Core.Options;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Log;

/// <summary>Retention by size and by time deletes whole sealed segments, oldest first, never the active one, under concurrent produce and consume.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class RetentionTests(AzuriteFixture azurite)
{
    private static readonly LogOptions SmallSegments = new() { SegmentBytes = 8 * 1024, MaxBatchBytes = 4 * 1024, ProducerStateScanBytes = 4 * 1024, IndexIntervalBytes = 0 };

    private static RetentionEnforcer Enforcer(TestEngine engine, StorageSet stores, TimeProvider time) =>
        new(engine.Topics, stores.Segments, stores.Index, time, NullLogger<RetentionEnforcer>.Instance);

    private static async Task<List<LogRecord>> ReadFromEarliestAsync(TestEngine engine, string topic)
    {
        var all = new List<LogRecord>();
        var offsets = await engine.Reader.GetOffsetsAsync(topic, 0, default);
        for (var next = offsets.Earliest; next < offsets.Latest;)
        {
            var fetch = await engine.Reader.FetchAsync(topic, 0, next, 64 * 1024, 10_000, default);
            all.AddRange(fetch.Records);
            next = fetch.NextOffset;
        }
        return all;
    }

    [Fact]
    public async Task Over_the_size_whole_sealed_segments_go_oldest_first_the_active_one_stays_and_readers_are_told_the_earliest()
    {
        var stores = await StorageSet.AzureAsync(azurite, nameof(Over_the_size_whole_sealed_segments_go_oldest_first_the_active_one_stays_and_readers_are_told_the_earliest));
        await using var engine = new TestEngine(stores, SmallSegments);
        await engine.Topics.CreateAsync(new TopicConfig { Name = "sized", Partitions = 1, RetentionBytes = 20 * 1024, RetentionMs = -1 }, default);
        var value = new string('x', 900);
        for (var i = 0; i < 100; i++) await engine.Producer.ProduceAsync("sized", [Records.Text($"{i:D3}{value}")], default);
        var tp = new TopicPartition("sized", 0);
        var before = await stores.Segments.ListSegmentsAsync(tp, default);
        Assert.True(before.Count > 5, $"{before.Count} segments");
        using (var flushed = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await engine.IndexWriter.FlushAsync(flushed.Token); // index rows written after retention ran are the next run's to remove
        }

        var result = await Enforcer(engine, stores, TimeProvider.System).EnforceAsync(await engine.Topics.GetAsync("sized", default), tp, default);
        var after = await stores.Segments.ListSegmentsAsync(tp, default);
        Assert.True(result.SegmentsDeleted > 0);
        Assert.Equal(before.Skip(result.SegmentsDeleted), after);
        Assert.Equal(before[^1], after[^1]);
        long kept = 0;
        foreach (var s in after) kept += (await stores.Segments.GetSegmentAsync(tp, s, default))!.Value.Length;
        Assert.True(kept >= 20 * 1024, $"kept {kept} bytes");
        var firstKept = (await stores.Segments.GetSegmentAsync(tp, after[0], default))!.Value.Length;
        Assert.True(kept - firstKept < 20 * 1024, "one more segment could have gone");

        var offsets = await engine.Reader.GetOffsetsAsync("sized", 0, default);
        Assert.Equal(after[0], offsets.Earliest);
        var refused = await Assert.ThrowsAsync<LogException>(() => engine.Reader.FetchAsync("sized", 0, 0, 1024 * 1024, 100, default));
        Assert.Equal(LogErrorKind.OffsetOutOfRange, refused.Kind);
        Assert.Contains($"earliest kept offset is {after[0]}", refused.Message, StringComparison.Ordinal);
        var rest = await engine.Reader.FetchAsync("sized", 0, offsets.Earliest, 1024 * 1024, 1_000, default);
        Assert.Equal($"{offsets.Earliest:D3}", rest.Records[0].Text()[..3]);
        // Index rows of deleted segments are gone: the first one left is at or after the earliest offset.
        Assert.True((await stores.Index.FindByOffsetAsync(tp, 0, default))!.LastOffset >= offsets.Earliest);

        // Run again: nothing more to do.
        Assert.Equal(0, (await Enforcer(engine, stores, TimeProvider.System).EnforceAsync(await engine.Topics.GetAsync("sized", default), tp, default)).SegmentsDeleted);
    }

    [Fact]
    public async Task Past_the_time_a_segment_goes_once_its_newest_record_is_older_and_a_quiet_active_segment_stays()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var stores = StorageSet.InMemory();
        await using var engine = new TestEngine(stores, SmallSegments, time);
        await engine.Topics.CreateAsync(new TopicConfig { Name = "timed", Partitions = 1, RetentionMs = 3_600_000 }, default);
        var value = new string('y', 900);
        for (var i = 0; i < 30; i++) await engine.Producer.ProduceAsync("timed", [Records.Text($"old{i}{value}")], default);
        time.Advance(TimeSpan.FromMinutes(50));
        for (var i = 0; i < 30; i++) await engine.Producer.ProduceAsync("timed", [Records.Text($"new{i}{value}")], default);
        var tp = new TopicPartition("timed", 0);
        var enforcer = Enforcer(engine, stores, time);
        var topic = await engine.Topics.GetAsync("timed", default);

        Assert.Equal(0, (await enforcer.EnforceAsync(topic, tp, default)).SegmentsDeleted);
        time.Advance(TimeSpan.FromMinutes(15));
        var result = await enforcer.EnforceAsync(topic, tp, default);
        Assert.True(result.SegmentsDeleted > 0);
        var left = await ReadFromEarliestAsync(engine, "timed");
        // Whole segments only: every "new" record is kept, and what is left of the old ones is the segment they share with new ones.
        Assert.Equal(30, left.Count(r => r.Text().StartsWith("new", StringComparison.Ordinal)));
        Assert.True(left.Count(r => r.Text().StartsWith("old", StringComparison.Ordinal)) < 10);

        time.Advance(TimeSpan.FromHours(5));
        await enforcer.EnforceAsync(topic, tp, default);
        var segments = await stores.Segments.ListSegmentsAsync(tp, default);
        Assert.NotEmpty(segments);
        Assert.Contains(await ReadFromEarliestAsync(engine, "timed"), r => r.Text().StartsWith("new29", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_writer_idle_while_others_rolled_on_and_retention_deleted_its_next_segment_does_not_bring_it_back()
    {
        var stores = StorageSet.InMemory();
        await using var idle = new TestEngine(stores, SmallSegments);
        await using var busy = new TestEngine(stores, SmallSegments);
        await idle.Topics.CreateAsync(new TopicConfig { Name = "ghost", Partitions = 1, RetentionBytes = 8 * 1024, RetentionMs = -1 }, default);
        var value = new string('g', 1_000);
        // The idle writer fills its segment to the seal and stops; it rolls only at its next append.
        var tp = new TopicPartition("ghost", 0);
        while ((await stores.Segments.GetSegmentAsync(tp, 0, default))?.Length is not >= 8 * 1024) await idle.Producer.ProduceAsync("ghost", [Records.Text("idle" + value)], default);
        Assert.Single(await stores.Segments.ListSegmentsAsync(tp, default));
        // Another instance goes on for several segments, and retention deletes all but the last two or so.
        for (var i = 0; i < 40; i++) await busy.Producer.ProduceAsync("ghost", [Records.Text($"busy{i}" + value)], default);
        await Enforcer(busy, stores, TimeProvider.System).EnforceAsync(await busy.Topics.GetAsync("ghost", default), tp, default);
        var before = await stores.Segments.ListSegmentsAsync(tp, default);

        var late = await idle.Producer.ProduceAsync("ghost", [Records.Text("late" + value)], default);
        var after = await stores.Segments.ListSegmentsAsync(tp, default);
        // No segment below the earliest came back, and the late record sits at the end of the log, in the active segment.
        Assert.Equal(before[0], after[0]);
        Assert.True(late.Records[0].Offset >= before[^1], $"offset {late.Records[0].Offset} is below the active segment {before[^1]}");
        var end = (await idle.Reader.GetOffsetsAsync("ghost", 0, default)).Latest;
        Assert.Equal(end - 1, late.Records[0].Offset);
    }

    [Fact]
    public async Task Under_concurrent_produce_and_consume_no_kept_record_is_missed_and_none_is_read_twice()
    {
        var stores = await StorageSet.AzureAsync(azurite, nameof(Under_concurrent_produce_and_consume_no_kept_record_is_missed_and_none_is_read_twice));
        await using var engine = new TestEngine(stores, SmallSegments);
        await engine.Topics.CreateAsync(new TopicConfig { Name = "busy", Partitions = 1, RetentionBytes = 16 * 1024, RetentionMs = -1 }, default);
        var enforcer = Enforcer(engine, stores, TimeProvider.System);
        var topic = await engine.Topics.GetAsync("busy", default);
        var tp = new TopicPartition("busy", 0);
        var acked = new ConcurrentDictionary<long, string>();
        using var stop = new CancellationTokenSource();
        var value = new string('z', 500);
        var producer = Task.Run(async () =>
        {
            for (var i = 0; i < 400; i++)
            {
                var result = await engine.Producer.ProduceAsync("busy", [Records.Text($"{i:D4}{value}")], default);
                acked[result.Records[0].Offset] = $"{i:D4}";
            }
        });
        var retention = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await enforcer.EnforceAsync(topic, tp, default);
                await Task.Delay(20);
            }
        });
        // The reader starts behind: what it was to read first is gone by then.
        while (acked.Count < 100) await Task.Delay(10);
        var read = new List<(long Offset, string Text)>();
        var resets = 0;
        long next = 0;
        while (!producer.IsCompleted || next < (await engine.Reader.GetOffsetsAsync("busy", 0, default)).Latest)
        {
            try
            {
                var fetch = await engine.Reader.FetchAsync("busy", 0, next, 16 * 1024, 100, default);
                read.AddRange(fetch.Records.Select(r => (r.Offset, r.Text()[..4])));
                next = fetch.NextOffset;
                if (fetch.Records.Count == 0) await Task.Delay(10);
            }
            catch (LogException e) when (e.Kind == LogErrorKind.OffsetOutOfRange)
            {
                // As a consumer with reset "earliest" does.
                next = (await engine.Reader.GetOffsetsAsync("busy", 0, default)).Earliest;
                resets++;
            }
        }
        await producer;
        await stop.CancelAsync();
        await retention;

        // Never twice, always ascending, each the record acknowledged at that offset; everything from the earliest kept on was read.
        Assert.Equal(read.Count, read.Select(r => r.Offset).Distinct().Count());
        Assert.Equal(read.Select(r => r.Offset).Order(), read.Select(r => r.Offset));
        Assert.All(read, r => Assert.Equal(acked[r.Offset], r.Text));
        var earliest = (await engine.Reader.GetOffsetsAsync("busy", 0, default)).Earliest;
        Assert.True(earliest > 0, "retention deleted nothing");
        var readOffsets = read.Select(r => r.Offset).ToHashSet();
        Assert.All(acked.Keys.Where(o => o >= earliest), o => Assert.Contains(o, readOffsets));
        Assert.All(await ReadFromEarliestAsync(engine, "busy"), r => Assert.Equal(acked[r.Offset], r.Text()[..4]));
        Assert.True(resets > 0, "the reader never had to move on to the new earliest offset");
    }
}

/// <summary>A consumer group whose next records were deleted by retention moves on to the earliest kept one and reads the rest once.</summary>
public sealed class RetentionConsumerTests
{
    [Fact]
    public async Task A_group_behind_retention_continues_from_the_earliest_kept_offset()
    {
        var options = new LogOptions { SegmentBytes = 8 * 1024, MaxBatchBytes = 4 * 1024, ProducerStateScanBytes = 4 * 1024, IndexIntervalBytes = 0 };
        var stores = StorageSet.InMemory();
        await using var rig = Consumers.ConsumerRig.InMemory(options: options, stores: stores);
        await rig.Engine.Topics.CreateAsync(new TopicConfig { Name = "behind", Partitions = 1, RetentionBytes = 16 * 1024, RetentionMs = -1 }, default);
        var handler = new Consumers.RecordingHandler(delay: TimeSpan.Zero);
        var registration = new Platform.Core.Consumers.ConsumerRegistration("g", "behind", handler);
        var runner = rig.Runner("one");
        await runner.RunAsync(registration, default);
        Assert.Equal(0, (await rig.Checkpoints.GetAsync("g", new TopicPartition("behind", 0), default))?.Offset);

        var value = new string('q', 900);
        for (var i = 0; i < 60; i++) await rig.Engine.Producer.ProduceAsync("behind", [Records.Text($"{i:D2}{value}")], default);
        var enforcer = new RetentionEnforcer(rig.Engine.Topics, stores.Segments, stores.Index, TimeProvider.System, NullLogger<RetentionEnforcer>.Instance);
        Assert.NotEmpty(await enforcer.EnforceAsync(default));
        var earliest = (await rig.Engine.Reader.GetOffsetsAsync("behind", 0, default)).Earliest;
        Assert.True(earliest > 0);

        for (var run = 0; run < 5 && handler.Seen.Count < 60 - earliest; run++) await runner.RunAsync(registration, default);
        Assert.Equal(Enumerable.Range((int)earliest, 60 - (int)earliest).Select(i => $"{i:D2}"), handler.Seen.OrderBy(s => s.Offset).Select(s => s.Value[..2]));
        Assert.Equal(60, (await rig.Checkpoints.GetAsync("g", new TopicPartition("behind", 0), default))?.Offset);
    }
}
