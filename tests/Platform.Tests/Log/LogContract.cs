using Platform.Core.Log;
using Platform.Core.Log.Appending;
using Platform.Core.Log.Batches;
using Platform.Core.Log.Reading;
using Platform.Core.Log.Topics;
using Platform.Core.Options;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Log;

/// <summary>The log's guarantees, run against every storage implementation.</summary>
public abstract class LogContract
{
    protected abstract Task<StorageSet> CreateStoresAsync(string testName);

    private static LogOptions SmallSegments(long segmentBytes = 8 * 1024, int maxBlocks = 49_000, int indexInterval = 0) => new()
    {
        IndexIntervalBytes = indexInterval,
        SegmentBytes = segmentBytes,
        MaxBatchBytes = 4 * 1024,
        SegmentMaxBlocks = maxBlocks,
        ProducerStateScanBytes = 64 * 1024,
        MaxPendingBytesPerPartition = 1024 * 1024,
    };

    private static async Task<string> CreateTopicAsync(TestEngine engine, int partitions = 1, CompressionCodec codec = CompressionCodec.None, [System.Runtime.CompilerServices.CallerMemberName] string name = "")
    {
        string topic = TestNames.Topic(name);
        await engine.Topics.CreateAsync(new TopicConfig { Name = topic, Partitions = partitions, Compression = codec }, default);
        return topic;
    }

    [Theory]
    [InlineData(CompressionCodec.None)]
    [InlineData(CompressionCodec.Gzip)]
    [InlineData(CompressionCodec.Zstd)]
    public async Task Produced_records_are_fetched_back_with_their_offsets(CompressionCodec codec)
    {
        await using var engine = new TestEngine(await CreateStoresAsync(nameof(Produced_records_are_fetched_back_with_their_offsets)));
        string topic = await CreateTopicAsync(engine, codec: codec);

        ProduceResult first = await engine.Producer.ProduceAsync(topic, [Records.Text("a", "k"), Records.Text("b", "k"), Records.Text("c", "k")], default);
        ProduceResult second = await engine.Producer.ProduceAsync(topic, [Records.Text("d")], default);

        Assert.Equal([0L, 1, 2], first.Records.Select(r => r.Offset));
        Assert.Equal(3, second.Records[0].Offset);
        FetchResult fetch = await engine.Reader.FetchAsync(topic, 0, 0, 1024 * 1024, 100, default);
        Assert.Equal(["a", "b", "c", "d"], fetch.Records.Select(r => r.Text()));
        Assert.Equal([0L, 1, 2, 3], fetch.Records.Select(r => r.Offset));
        Assert.Equal(4, fetch.NextOffset);
        Assert.Equal(4, fetch.LogEndOffset);

        FetchResult middle = await engine.Reader.FetchAsync(topic, 0, 1, 1024 * 1024, 1, default);
        Assert.Equal(["b"], middle.Records.Select(r => r.Text()));
        Assert.Equal(2, middle.NextOffset);

        FetchResult atEnd = await engine.Reader.FetchAsync(topic, 0, 4, 1024, 10, default);
        Assert.Empty(atEnd.Records);
        Assert.Equal(4, atEnd.NextOffset);
        var beyond = await Assert.ThrowsAsync<LogException>(() => engine.Reader.FetchAsync(topic, 0, 5, 1024, 10, default));
        Assert.Equal(LogErrorKind.OffsetOutOfRange, beyond.Kind);
        Assert.Equal(new PartitionOffsets(0, 4), await engine.Reader.GetOffsetsAsync(topic, 0, default));
    }

    [Fact]
    public async Task Keys_land_on_kafkas_partitions_and_keep_their_order()
    {
        await using var engine = new TestEngine(await CreateStoresAsync(nameof(Keys_land_on_kafkas_partitions_and_keep_their_order)));
        string topic = await CreateTopicAsync(engine, partitions: 4);

        // murmur2("foobar") = -790332482 (Kafka's UtilsTest); (h & 0x7fffffff) % 4 = 2.
        ProduceResult result = await engine.Producer.ProduceAsync(topic, [.. Enumerable.Range(0, 5).Select(i => Records.Text($"v{i}", "foobar"))], default);
        Assert.All(result.Records, r => Assert.Equal(2, r.Partition));
        Assert.Equal([0L, 1, 2, 3, 4], result.Records.Select(r => r.Offset));
        Assert.Equal(["v0", "v1", "v2", "v3", "v4"], (await Records.ReadAllAsync(engine.Reader, topic, 2)).Select(r => r.Text()));
    }

    [Fact]
    public async Task Keyless_records_stick_to_a_partition_and_explicit_partitions_are_honoured()
    {
        await using var engine = new TestEngine(await CreateStoresAsync(nameof(Keyless_records_stick_to_a_partition_and_explicit_partitions_are_honoured)));
        string topic = await CreateTopicAsync(engine, partitions: 3);
        ProduceResult sticky = await engine.Producer.ProduceAsync(topic, [.. Enumerable.Range(0, 10).Select(i => Records.Text($"v{i}"))], default);
        Assert.Single(sticky.Records.Select(r => r.Partition).Distinct());

        ProduceResult pinned = await engine.Producer.ProduceAsync(topic, [Records.Text("x", partition: 1), Records.Text("y", key: "foobar", partition: 0)], default);
        Assert.Equal([1, 0], pinned.Records.Select(r => r.Partition));

        var bad = await Assert.ThrowsAsync<LogException>(() => engine.Producer.ProduceAsync(topic, [Records.Text("z", partition: 3)], default));
        Assert.Equal(LogErrorKind.InvalidRequest, bad.Kind);
    }

    [Fact]
    public async Task Four_concurrent_writers_on_one_partition_leave_no_gap_overlap_or_duplicate()
    {
        StorageSet stores = await CreateStoresAsync(nameof(Four_concurrent_writers_on_one_partition_leave_no_gap_overlap_or_duplicate));
        var engines = Enumerable.Range(0, 4).Select(_ => new TestEngine(stores)).ToArray();
        string topic = await CreateTopicAsync(engines[0]);
        const int callsPerWriter = 40;
        const int recordsPerCall = 3;

        var acknowledged = await Task.WhenAll(engines.SelectMany((engine, w) => Enumerable.Range(0, callsPerWriter).Select(async c =>
        {
            var records = Enumerable.Range(0, recordsPerCall).Select(r => Records.Text($"w{w}-c{c}-r{r}")).ToArray();
            ProduceResult result = await engine.Producer.ProduceAsync(topic, records, default);
            return result.Records.Select((p, i) => (Value: $"w{w}-c{c}-r{i}", p.Offset));
        })));

        List<LogRecord> all = await Records.ReadAllAsync(engines[0].Reader, topic, 0);
        const int total = 4 * callsPerWriter * recordsPerCall;
        Assert.Equal(Enumerable.Range(0, total).Select(i => (long)i), all.Select(r => r.Offset));
        Assert.Equal(total, all.Select(r => r.Text()).Distinct().Count());
        var byValue = all.ToDictionary(r => r.Text(), r => r.Offset);
        foreach (var (value, offset) in acknowledged.SelectMany(a => a))
        {
            Assert.Equal(offset, byValue[value]);
        }

        foreach (TestEngine engine in engines)
        {
            await engine.DisposeAsync();
        }
    }

    [Fact]
    public async Task Segments_roll_by_size_and_reads_cross_their_boundaries()
    {
        StorageSet stores = await CreateStoresAsync(nameof(Segments_roll_by_size_and_reads_cross_their_boundaries));
        await using var engine = new TestEngine(stores, SmallSegments());
        string topic = await CreateTopicAsync(engine);
        string payload = new('x', 300);
        for (int i = 0; i < 40; i++)
        {
            await engine.Producer.ProduceAsync(topic, [.. Enumerable.Range(0, 3).Select(r => Records.Text($"{i * 3 + r}:{payload}"))], default);
        }

        IReadOnlyList<long> segments = await stores.Segments.ListSegmentsAsync(new TopicPartition(topic, 0), default);
        Assert.True(segments.Count >= 4, $"expected several segments, got {segments.Count}");
        Assert.Equal(0, segments[0]);
        foreach (long seg in segments.Skip(1))
        {
            FetchResult first = await engine.Reader.FetchAsync(topic, 0, seg, 1, 1, default);
            Assert.Equal(seg, first.Records[0].Offset);
            Assert.StartsWith($"{seg}:", first.Records[0].Text(), StringComparison.Ordinal);
        }

        List<LogRecord> all = await Records.ReadAllAsync(engine.Reader, topic, 0, maxBytes: 1500);
        Assert.Equal(Enumerable.Range(0, 120).Select(i => (long)i), all.Select(r => r.Offset));
        Assert.All(all, r => Assert.StartsWith($"{r.Offset}:", r.Text(), StringComparison.Ordinal));
        foreach (long seg in segments.SkipLast(1))
        {
            SegmentInfoAssert.Sealed((await stores.Segments.GetSegmentAsync(new TopicPartition(topic, 0), seg, default))!.Value, engine.Options);
        }
    }

    [Fact]
    public async Task Segments_roll_before_the_block_limit()
    {
        StorageSet stores = await CreateStoresAsync(nameof(Segments_roll_before_the_block_limit));
        await using var engine = new TestEngine(stores, SmallSegments(segmentBytes: 1024 * 1024, maxBlocks: 3));
        string topic = await CreateTopicAsync(engine);
        for (int i = 0; i < 10; i++)
        {
            await engine.Producer.ProduceAsync(topic, [Records.Text($"{i}")], default);
        }

        var tp = new TopicPartition(topic, 0);
        IReadOnlyList<long> segments = await stores.Segments.ListSegmentsAsync(tp, default);
        Assert.Equal([0L, 3, 6, 9], segments);
        foreach (long seg in segments)
        {
            Assert.True((await stores.Segments.GetSegmentAsync(tp, seg, default))!.Value.BlockCount <= 3);
        }

        Assert.Equal(10, (await Records.ReadAllAsync(engine.Reader, topic, 0)).Count);
    }

    [Fact]
    public async Task Concurrent_writers_agree_on_segment_rolls()
    {
        StorageSet stores = await CreateStoresAsync(nameof(Concurrent_writers_agree_on_segment_rolls));
        var engines = Enumerable.Range(0, 3).Select(_ => new TestEngine(stores, SmallSegments())).ToArray();
        string topic = await CreateTopicAsync(engines[0]);
        string payload = new('y', 200);
        await Task.WhenAll(engines.Select(async (engine, w) =>
        {
            for (int c = 0; c < 25; c++)
            {
                await engine.Producer.ProduceAsync(topic, [Records.Text($"w{w}c{c}a{payload}"), Records.Text($"w{w}c{c}b{payload}")], default);
            }
        }));

        List<LogRecord> all = await Records.ReadAllAsync(engines[0].Reader, topic, 0);
        Assert.Equal(Enumerable.Range(0, 150).Select(i => (long)i), all.Select(r => r.Offset));
        Assert.Equal(150, all.Select(r => r.Text()).Distinct().Count());
        Assert.True((await stores.Segments.ListSegmentsAsync(new TopicPartition(topic, 0), default)).Count > 3);
        foreach (TestEngine engine in engines)
        {
            await engine.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_retried_idempotent_batch_returns_its_original_offsets_even_from_another_process()
    {
        StorageSet stores = await CreateStoresAsync(nameof(A_retried_idempotent_batch_returns_its_original_offsets_even_from_another_process));
        await using var a = new TestEngine(stores);
        string topic = await CreateTopicAsync(a);
        ProduceRecord[] batch = [Records.Text("one"), Records.Text("two")];
        var stamp = new ProducerStamp(777, 0, 0);

        AppendResult first = await a.Producer.AppendIdempotentAsync(topic, 0, stamp, batch, default);
        await a.Producer.ProduceAsync(topic, [Records.Text("other")], default);
        AppendResult retry = await a.Producer.AppendIdempotentAsync(topic, 0, stamp, batch, default);
        Assert.Equal((0L, 1L, false), (first.BaseOffset, first.LastOffset, first.Duplicate));
        Assert.Equal((0L, 1L, true), (retry.BaseOffset, retry.LastOffset, retry.Duplicate));

        // A second process has no memory of it: it learns from the log's tail.
        await using var b = new TestEngine(stores);
        AppendResult fromB = await b.Producer.AppendIdempotentAsync(topic, 0, stamp, batch, default);
        Assert.Equal((0L, 1L, true), (fromB.BaseOffset, fromB.LastOffset, fromB.Duplicate));

        AppendResult next = await b.Producer.AppendIdempotentAsync(topic, 0, stamp with { BaseSequence = 2 }, [Records.Text("three")], default);
        Assert.Equal(3, next.BaseOffset);
        var gap = await Assert.ThrowsAsync<LogException>(() => b.Producer.AppendIdempotentAsync(topic, 0, stamp with { BaseSequence = 9 }, [Records.Text("x")], default));
        Assert.Equal(LogErrorKind.OutOfOrderSequence, gap.Kind);

        await b.Producer.AppendIdempotentAsync(topic, 0, new ProducerStamp(777, 1, 0), [Records.Text("epoch 1")], default);
        var fenced = await Assert.ThrowsAsync<LogException>(() => a.Producer.AppendIdempotentAsync(topic, 0, stamp with { BaseSequence = 3 }, [Records.Text("zombie")], default));
        Assert.Equal(LogErrorKind.ProducerFenced, fenced.Kind);

        Assert.Equal(["one", "two", "other", "three", "epoch 1"], (await Records.ReadAllAsync(a.Reader, topic, 0)).Select(r => r.Text()));
    }

    [Fact]
    public async Task Seek_by_time_finds_the_first_offset_appended_at_or_after_it()
    {
        StorageSet stores = await CreateStoresAsync(nameof(Seek_by_time_finds_the_first_offset_appended_at_or_after_it));
        var time = new AdjustableTime();
        var index = new PausableIndex(stores.Index);
        await using var engine = new TestEngine(stores, time: time, index: index);
        string topic = await CreateTopicAsync(engine);

        long t0 = time.GetUtcNow().ToUnixTimeMilliseconds();
        await engine.Producer.ProduceAsync(topic, [Records.Text("a"), Records.Text("b")], default);
        time.Advance(TimeSpan.FromSeconds(10));
        await engine.Producer.ProduceAsync(topic, [Records.Text("c")], default);
        time.Advance(TimeSpan.FromSeconds(10));
        index.DropWrites = true; // the last batch is only in the blob
        await engine.Producer.ProduceAsync(topic, [Records.Text("d"), Records.Text("e")], default);
        await engine.IndexWriter.FlushAsync(default);

        Assert.Equal(0, await engine.Reader.FindOffsetByTimeAsync(topic, 0, t0 - 60_000, default));
        Assert.Equal(2, await engine.Reader.FindOffsetByTimeAsync(topic, 0, t0 + 5_000, default));
        Assert.Equal(3, await engine.Reader.FindOffsetByTimeAsync(topic, 0, t0 + 15_000, default));
        Assert.Null(await engine.Reader.FindOffsetByTimeAsync(topic, 0, t0 + 3_600_000, default));
    }

    [Fact]
    public async Task Reads_fall_back_to_the_tail_when_the_index_lags_and_the_index_can_be_rebuilt()
    {
        StorageSet stores = await CreateStoresAsync(nameof(Reads_fall_back_to_the_tail_when_the_index_lags_and_the_index_can_be_rebuilt));
        var index = new PausableIndex(stores.Index) { DropWrites = true };
        await using var engine = new TestEngine(stores, SmallSegments(), index: index);
        string topic = await CreateTopicAsync(engine);
        for (int i = 0; i < 30; i++)
        {
            await engine.Producer.ProduceAsync(topic, [Records.Text($"{2 * i}:{new string('z', 400)}"), Records.Text($"{2 * i + 1}:")], default);
        }

        await engine.IndexWriter.FlushAsync(default);
        var tp = new TopicPartition(topic, 0);
        Assert.Null(await stores.Index.FindByOffsetAsync(tp, 0, default));
        foreach (long offset in new long[] { 0, 17, 31, 58, 59 })
        {
            FetchResult fetch = await engine.Reader.FetchAsync(topic, 0, offset, 1, 1, default);
            Assert.StartsWith($"{offset}:", fetch.Records.Single().Text(), StringComparison.Ordinal);
        }

        index.DropWrites = false;
        Assert.Equal(30, await engine.Rebuilder.RebuildAsync(tp, default));
        var entry = await stores.Index.FindByOffsetAsync(tp, 31, default);
        Assert.NotNull(entry);
        Assert.Equal((30L, 31L), (entry.BaseOffset, entry.LastOffset));
        FetchResult viaIndex = await engine.Reader.FetchAsync(topic, 0, 31, 1, 1, default);
        Assert.Equal("31:", viaIndex.Records.Single().Text());
    }

    [Fact]
    public async Task A_sparse_index_still_finds_every_offset_and_time()
    {
        StorageSet stores = await CreateStoresAsync(nameof(A_sparse_index_still_finds_every_offset_and_time));
        var time = new AdjustableTime();
        LogOptions options = SmallSegments(segmentBytes: 16 * 1024, indexInterval: 2 * 1024);
        options.IndexFlushInterval = TimeSpan.FromMilliseconds(20);
        await using var engine = new TestEngine(stores, options, time);
        string topic = await CreateTopicAsync(engine);
        long t0 = time.GetUtcNow().ToUnixTimeMilliseconds();
        for (int i = 0; i < 60; i++)
        {
            await engine.Producer.ProduceAsync(topic, [Records.Text($"{i}:{new string('q', 200)}")], default);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        var tp = new TopicPartition(topic, 0);
        for (int wait = 0; wait < 200 && await stores.Index.FindByOffsetAsync(tp, 59, default) is null; wait++)
        {
            await Task.Delay(20);
        }

        Assert.NotNull(await stores.Index.FindByOffsetAsync(tp, 59, default));
        Assert.NotEqual(0, (await stores.Index.FindByOffsetAsync(tp, 0, default))!.LastOffset);
        for (int offset = 0; offset < 60; offset++)
        {
            FetchResult fetch = await engine.Reader.FetchAsync(topic, 0, offset, 1, 1, default);
            Assert.StartsWith($"{offset}:", fetch.Records.Single().Text(), StringComparison.Ordinal);
        }

        for (int second = 0; second < 60; second += 7)
        {
            Assert.Equal(second, await engine.Reader.FindOffsetByTimeAsync(topic, 0, t0 + second * 1000 - 500, default));
        }
    }

    [Fact]
    public async Task Bad_input_is_refused_with_a_clear_error_and_appends_nothing()
    {
        await using var engine = new TestEngine(await CreateStoresAsync(nameof(Bad_input_is_refused_with_a_clear_error_and_appends_nothing)));
        string topic = await CreateTopicAsync(engine);
        await Assert.ThrowsAsync<TopicNotFoundException>(() => engine.Producer.ProduceAsync("no-such-topic", [Records.Text("a")], default));
        var tooBig = await Assert.ThrowsAsync<LogException>(() => engine.Producer.ProduceAsync(topic, [Records.Text("ok"), new ProduceRecord { Value = new byte[2 * 1024 * 1024] }], default));
        Assert.Equal(LogErrorKind.RecordTooLarge, tooBig.Kind);
        Assert.Contains("Record 1", tooBig.Message, StringComparison.Ordinal);
        var empty = await Assert.ThrowsAsync<LogException>(() => engine.Producer.ProduceAsync(topic, [], default));
        Assert.Equal(LogErrorKind.InvalidRequest, empty.Kind);
        var dup = await Assert.ThrowsAsync<LogException>(() => engine.Topics.CreateAsync(new TopicConfig { Name = topic, Partitions = 1 }, default));
        Assert.Equal(LogErrorKind.TopicAlreadyExists, dup.Kind);
        var badName = await Assert.ThrowsAsync<LogException>(() => engine.Topics.CreateAsync(new TopicConfig { Name = "Bad/Name", Partitions = 1 }, default));
        Assert.Contains("lower-case", badName.Message, StringComparison.Ordinal);
        Assert.Equal(new PartitionOffsets(0, 0), await engine.Reader.GetOffsetsAsync(topic, 0, default));
    }
}

internal static class SegmentInfoAssert
{
    public static void Sealed(Platform.Core.Storage.SegmentInfo info, LogOptions options) =>
        Assert.True(info.Length >= options.SegmentBytes || info.BlockCount >= options.SegmentMaxBlocks, $"segment {info.BaseOffset} was rolled before it was sealed ({info.Length} bytes, {info.BlockCount} blocks)");
}

public sealed class InMemoryLogTests : LogContract
{
    protected override Task<StorageSet> CreateStoresAsync(string testName) => Task.FromResult(StorageSet.InMemory());
}

[Collection(AzuriteCollection.Name)]
public sealed class AzureLogTests(AzuriteFixture azurite) : LogContract
{
    protected override Task<StorageSet> CreateStoresAsync(string testName) => StorageSet.AzureAsync(azurite, testName);
}
