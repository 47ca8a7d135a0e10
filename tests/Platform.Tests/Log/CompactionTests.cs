using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Platform.Core.Log;
using Platform.Core.Log.Appending;
using Platform.Core.Log.Compaction;
using Platform.Core.Log.Topics;
using Platform.Core.Options;
using Platform.Core.Storage;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Log;

/// <summary>
/// Compaction keeps the last record of every key at its offset, drops tombstones after DeleteRetentionMs, never
/// touches the active segment, and leaves a whole log whatever step it dies at.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class CompactionTests(AzuriteFixture azurite)
{
    private static readonly LogOptions SmallSegments = new() { SegmentBytes = 8 * 1024, MaxBatchBytes = 4 * 1024, ProducerStateScanBytes = 4 * 1024, IndexIntervalBytes = 1024 };

    private static TopicConfig Compacted(string name, long deleteRetentionMs = 86_400_000, double ratio = 0.5) =>
        new() { Name = name, Partitions = 1, CleanupPolicy = CleanupPolicy.Compact, DeleteRetentionMs = deleteRetentionMs, MinCleanableDirtyRatio = ratio };

    private static LogCompactor Compactor(TestEngine engine, StorageSet stores, TimeProvider time, IOffsetIndex? index = null) =>
        new(engine.Topics, stores.Segments, index ?? stores.Index, Microsoft.Extensions.Options.Options.Create(engine.Options), time, NullLogger<LogCompactor>.Instance);

    private static string Key(LogRecord r) => r.Key is { } k ? Encoding.UTF8.GetString(k.Span) : "<none>";

    private static async Task<long> BytesAsync(ISegmentStore store, TopicPartition tp)
    {
        long total = 0;
        foreach (long s in await store.ListSegmentsAsync(tp, default)) total += (await store.GetSegmentAsync(tp, s, default))?.Length ?? 0;
        return total;
    }

    /// <summary>Every record read is the one acknowledged at its offset, offsets rise, and each key's last record is its last write.</summary>
    private static void AssertFaithful(List<LogRecord> read, IReadOnlyDictionary<long, (string Key, string? Value)> acked, IReadOnlyDictionary<string, (long Offset, string? Value)>? last = null)
    {
        for (int i = 0; i < read.Count; i++)
        {
            if (i > 0) Assert.True(read[i].Offset > read[i - 1].Offset, $"offsets must rise: {read[i - 1].Offset} then {read[i].Offset}");
            Assert.True(acked.TryGetValue(read[i].Offset, out var expected), $"offset {read[i].Offset} was never acknowledged");
            Assert.Equal(expected.Key, Key(read[i]));
            Assert.Equal(expected.Value, read[i].Value is null ? null : read[i].Text());
        }

        if (last is null) return;
        var seen = read.GroupBy(Key).ToDictionary(g => g.Key, g => g.Last());
        foreach ((string key, (long offset, string? value)) in last)
        {
            Assert.True(seen.TryGetValue(key, out var r), $"key {key} lost");
            Assert.Equal(offset, r.Offset);
            Assert.Equal(value, r.Value is null ? null : r.Text());
        }
    }

    [Fact]
    public async Task With_producers_and_readers_running_every_key_keeps_its_last_write_at_its_offset_and_the_log_shrinks()
    {
        var stores = await StorageSet.AzureAsync(azurite, nameof(With_producers_and_readers_running_every_key_keeps_its_last_write_at_its_offset_and_the_log_shrinks));
        await using var engine = new TestEngine(stores, SmallSegments);
        await engine.Topics.CreateAsync(Compacted("changes"), default);
        var tp = new TopicPartition("changes", 0);
        var acked = new ConcurrentDictionary<long, (string Key, string? Value)>();
        var last = new ConcurrentDictionary<string, (long Offset, string? Value)>();
        var pad = new string('v', 200);

        async Task WriteAsync(int producer, int rounds)
        {
            for (int round = 0; round < rounds; round++)
            {
                for (int k = 0; k < 20; k += 2)
                {
                    // Two keys per call, so that batches hold several records and compaction keeps some of a batch.
                    string key1 = $"p{producer}-k{k:D2}", key2 = $"p{producer}-k{k + 1:D2}";
                    string value1 = $"{key1}@{round}{pad}", value2 = $"{key2}@{round}{pad}";
                    var result = await engine.Producer.ProduceAsync("changes", [Records.Text(value1, key1), Records.Text(value2, key2)], default);
                    foreach ((string key, string value, long offset) in new[] { (key1, value1, result.Records[0].Offset), (key2, value2, result.Records[1].Offset) })
                    {
                        acked[offset] = (key, value);
                        last.AddOrUpdate(key, (offset, value), (_, old) => old.Offset > offset ? old : (offset, value));
                    }
                }
            }
        }

        await Task.WhenAll(WriteAsync(0, 6), WriteAsync(1, 6));
        long before = await BytesAsync(stores.Segments, tp);
        Assert.True((await stores.Segments.ListSegmentsAsync(tp, default)).Count > 5);

        // Compact while two producers go on and a reader reads the whole log again and again.
        using var stop = new CancellationTokenSource();
        var readerErrors = new ConcurrentQueue<Exception>();
        var snapshots = new ConcurrentQueue<List<LogRecord>>(); // checked once every acknowledgement is known
        var reader = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    snapshots.Enqueue(await Records.ReadAllAsync(engine.Reader, "changes", 0, maxBytes: 2048));
                }
                catch (Exception e)
                {
                    readerErrors.Enqueue(e);
                }
            }
        });
        var producing = Task.WhenAll(WriteAsync(2, 4), WriteAsync(3, 4));
        var compactor = Compactor(engine, stores, TimeProvider.System);
        var topic = await engine.Topics.GetAsync("changes", default);
        int rewritten = 0;
        while (!producing.IsCompleted)
        {
            rewritten += (await compactor.CompactAsync(topic, tp, default)).SegmentsRewritten;
        }

        await producing;
        rewritten += (await compactor.CompactAsync(topic with { MinCleanableDirtyRatio = 0 }, tp, default)).SegmentsRewritten;
        stop.Cancel();
        await reader;
        Assert.True(readerErrors.IsEmpty, string.Join("\n", readerErrors.Take(3)));
        Assert.NotEmpty(snapshots);
        var everyKey = new HashSet<string>(acked.Values.Select(v => v.Key));
        foreach (var snapshot in snapshots)
        {
            AssertFaithful(snapshot, acked);
            // A read from 0 while compaction runs still sees every key written before the first pass (its last value then or later).
            Assert.Superset(last.Keys.Where(k => k.StartsWith("p0-", StringComparison.Ordinal) || k.StartsWith("p1-", StringComparison.Ordinal)).ToHashSet(), snapshot.Select(Key).ToHashSet());
        }
        Assert.True(rewritten > 0);

        var all = await Records.ReadAllAsync(engine.Reader, "changes", 0);
        AssertFaithful(all, acked, last);
        Assert.True(all.Count < acked.Count / 2, $"{all.Count} of {acked.Count} records kept");
        long after = await BytesAsync(stores.Segments, tp);
        Assert.True(after < before, $"{before} → {after} bytes");
        // Offsets never change: the log still ends where it ended, and a fetch from any acknowledged offset starts there or later.
        var ends = await engine.Reader.GetOffsetsAsync("changes", 0, default);
        Assert.Equal(acked.Keys.Max() + 1, ends.Latest);
        // No generation is left beside another, and the index points into the generations that exist.
        var generations = await stores.Segments.ListGenerationsAsync(tp, default);
        Assert.Equal(generations.Count, generations.Select(g => g.BaseOffset).Distinct().Count());
        Assert.Contains(generations, g => g.Generation > 0);
        // A fetch from an offset that compaction removed starts at the next record kept.
        long removedOffset = acked.Keys.Where(o => all.All(r => r.Offset != o)).Min();
        // (A fetch over a stretch compaction emptied may answer no records and a later next offset: follow it.)
        var fetch = await engine.Reader.FetchAsync("changes", 0, removedOffset, 4096, 1, default);
        while (fetch.Records.Count == 0)
        {
            Assert.True(fetch.NextOffset > removedOffset);
            fetch = await engine.Reader.FetchAsync("changes", 0, fetch.NextOffset, 4096, 1, default);
        }

        Assert.Equal(all.First(r => r.Offset > removedOffset).Offset, fetch.Records[0].Offset);
        // The index rebuilt from the blobs agrees.
        await engine.Rebuilder.RebuildAsync(tp, default);
        AssertFaithful(await Records.ReadAllAsync(engine.Reader, "changes", 0), acked, last);
    }

    [Fact]
    public async Task A_tombstone_removes_the_older_values_at_once_and_itself_after_the_delete_retention()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var stores = StorageSet.InMemory();
        await using var engine = new TestEngine(stores, SmallSegments, time);
        await engine.Topics.CreateAsync(Compacted("users", deleteRetentionMs: 3_600_000), default);
        var tp = new TopicPartition("users", 0);
        var pad = new string('u', 300);
        for (int round = 0; round < 5; round++)
        {
            for (int k = 0; k < 10; k++) await engine.Producer.ProduceAsync("users", [Records.Text($"u{k}:{round}{pad}", $"u{k}")], default);
        }

        var gone = new ProduceRecord { Key = Encoding.UTF8.GetBytes("u3"), Value = null };
        long tombstone = (await engine.Producer.ProduceAsync("users", [gone], default)).Records[0].Offset;
        for (int k = 0; k < 40; k++) await engine.Producer.ProduceAsync("users", [Records.Text($"filler{k}{pad}", $"f{k}")], default);
        time.Advance(TimeSpan.FromMinutes(1));
        var topic = await engine.Topics.GetAsync("users", default);
        var compactor = Compactor(engine, stores, time);

        await compactor.CompactAsync(topic, tp, default);
        var read = await Records.ReadAllAsync(engine.Reader, "users", 0);
        var u3 = read.Where(r => Key(r) == "u3").ToList();
        Assert.Single(u3);
        Assert.Equal(tombstone, u3[0].Offset);
        Assert.Null(u3[0].Value);
        Assert.Equal(10, read.Count(r => Key(r).StartsWith('u')));

        // Past the delete retention the next pass (new writes make the log dirty again) drops the tombstone too.
        time.Advance(TimeSpan.FromHours(2));
        for (int k = 0; k < 40; k++) await engine.Producer.ProduceAsync("users", [Records.Text($"more{k}{pad}", $"f{k}")], default);
        time.Advance(TimeSpan.FromMinutes(1));
        var result = await compactor.CompactAsync(topic, tp, default);
        Assert.True(result.TombstonesRemoved >= 1);
        read = await Records.ReadAllAsync(engine.Reader, "users", 0);
        Assert.DoesNotContain(read, r => Key(r) == "u3");
        Assert.Equal(9, read.Count(r => Key(r).StartsWith('u')));
    }

    [Fact]
    public async Task Records_younger_than_the_minimum_lag_and_the_active_segment_are_left_alone()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var stores = StorageSet.InMemory();
        await using var engine = new TestEngine(stores, SmallSegments, time);
        await engine.Topics.CreateAsync(Compacted("lagged") with { MinCompactionLagMs = 600_000 }, default);
        var tp = new TopicPartition("lagged", 0);
        for (int round = 0; round < 30; round++) await engine.Producer.ProduceAsync("lagged", [Records.Text($"{round}{new string('l', 500)}", "same")], default);
        var topic = await engine.Topics.GetAsync("lagged", default);
        var compactor = Compactor(engine, stores, time);

        Assert.Equal(0, (await compactor.CompactAsync(topic, tp, default)).SegmentsRewritten);
        time.Advance(TimeSpan.FromMinutes(11));
        var result = await compactor.CompactAsync(topic, tp, default);
        Assert.True(result.SegmentsRewritten > 0);
        var segs = await stores.Segments.ListSegmentsAsync(tp, default);
        Assert.Equal(0, (await stores.Segments.GetSegmentAsync(tp, segs[^1], default))!.Value.Generation);
        var read = await Records.ReadAllAsync(engine.Reader, "lagged", 0);
        Assert.Equal("29", read[^1].Text()[..2]);
        // The active segment's records all stay (the last value is there; only sealed segments lost theirs).
        Assert.Equal(29, read[^1].Offset);
    }

    [Fact]
    public async Task A_compactor_that_dies_at_any_step_leaves_a_whole_log_and_the_next_pass_finishes()
    {
        for (int failAt = 1; ; failAt++)
        {
            var stores = StorageSet.InMemory();
            var faults = new CompactionFaults(stores.Segments, stores.Index, failAt);
            await using var engine = new TestEngine(stores, SmallSegments);
            await engine.Topics.CreateAsync(Compacted("crashy"), default);
            var tp = new TopicPartition("crashy", 0);
            var acked = new Dictionary<long, (string Key, string? Value)>();
            var last = new Dictionary<string, (long Offset, string? Value)>();
            for (int round = 0; round < 8; round++)
            {
                for (int k = 0; k < 8; k++)
                {
                    string key = $"k{k}", value = $"{key}@{round}{new string('c', 250)}";
                    long offset = (await engine.Producer.ProduceAsync("crashy", [Records.Text(value, key)], default)).Records[0].Offset;
                    acked[offset] = (key, value);
                    last[key] = (offset, value);
                }
            }

            var topic = await engine.Topics.GetAsync("crashy", default);
            var dying = new LogCompactor(engine.Topics, faults, faults.Index, Microsoft.Extensions.Options.Options.Create(engine.Options), TimeProvider.System, NullLogger<LogCompactor>.Instance);
            bool died = false;
            try
            {
                await dying.CompactAsync(topic, tp, default);
            }
            catch (InjectedFault)
            {
                died = true;
            }

            AssertFaithful(await Records.ReadAllAsync(engine.Reader, "crashy", 0), acked, last);
            await Compactor(engine, stores, TimeProvider.System).CompactAsync(topic with { MinCleanableDirtyRatio = 0 }, tp, default);
            var generations = await stores.Segments.ListGenerationsAsync(tp, default);
            Assert.Equal(generations.Count, generations.Select(g => g.BaseOffset).Distinct().Count());
            var read = await Records.ReadAllAsync(engine.Reader, "crashy", 0);
            AssertFaithful(read, acked, last);
            Assert.True(read.Count < acked.Count, $"step {failAt}: nothing was compacted");
            if (!died)
            {
                Assert.True(failAt > 3, "the fault was never injected");
                return;
            }
        }
    }

    [Fact]
    public async Task A_client_retry_after_compaction_and_a_writer_restart_is_still_recognised()
    {
        var stores = StorageSet.InMemory();
        var options = new LogOptions { SegmentBytes = 8 * 1024, MaxBatchBytes = 4 * 1024, ProducerStateScanBytes = 256 * 1024, IndexIntervalBytes = 1024 };
        var pad = new string('i', 400);
        ProduceResult first;
        await using (var engine = new TestEngine(stores, options))
        {
            await engine.Topics.CreateAsync(Compacted("idem"), default);
            first = await engine.Producer.ProduceIdempotentAsync("idem", [Records.Text($"v1{pad}", "k")], "request-1", default);
            await engine.Producer.ProduceAsync("idem", [Records.Text($"v2{pad}", "k")], default);
            for (int i = 0; i < 60; i++) await engine.Producer.ProduceAsync("idem", [Records.Text($"{i}{pad}", $"f{i % 5}")], default);
            var result = await Compactor(engine, stores, TimeProvider.System).CompactAsync(await engine.Topics.GetAsync("idem", default), new TopicPartition("idem", 0), default);
            Assert.True(result.RecordsRemoved > 0);
            Assert.DoesNotContain(await Records.ReadAllAsync(engine.Reader, "idem", 0), r => r.Offset == first.Records[0].Offset);
        }

        // A new writer rebuilds producer state from the (compacted) tail: the emptied batch of the client's request is
        // still there, so the retry is answered with the original offset, not appended as a newer v1.
        await using var restarted = new TestEngine(stores, options);
        var retry = await restarted.Producer.ProduceIdempotentAsync("idem", [Records.Text($"v1{pad}", "k")], "request-1", default);
        Assert.True(retry.Duplicate);
        Assert.Equal(first.Records[0].Offset, retry.Records[0].Offset);
        var all = await Records.ReadAllAsync(restarted.Reader, "idem", 0);
        Assert.Equal("v2", all.Last(r => Key(r) == "k").Text()[..2]);
    }

    [Fact]
    public async Task One_compactor_at_a_time_a_partition_claimed_by_another_instance_is_left_to_it()
    {
        var stores = StorageSet.InMemory();
        await using var engine = new TestEngine(stores, SmallSegments);
        await engine.Topics.CreateAsync(Compacted("claimed"), default);
        for (int i = 0; i < 60; i++) await engine.Producer.ProduceAsync("claimed", [Records.Text($"{i}{new string('c', 300)}", $"k{i % 3}")], default);
        var ownership = new Platform.Core.Storage.InMemory.InMemoryOwnershipStore(TimeProvider.System);
        var compactor = new LogCompactor(engine.Topics, stores.Segments, stores.Index, Microsoft.Extensions.Options.Options.Create(engine.Options), TimeProvider.System, NullLogger<LogCompactor>.Instance, ownership);

        var other = await ownership.TryClaimAsync(LogCompactor.ClaimGroup, "claimed", 0, "another-instance", null, TimeSpan.FromMinutes(10), default);
        Assert.NotNull(other);
        Assert.Empty(await compactor.CompactAllAsync(default));
        Assert.True(await ownership.ReleaseAsync(LogCompactor.ClaimGroup, "claimed", other!, default));
        var results = await compactor.CompactAllAsync(default);
        Assert.True(Assert.Single(results).SegmentsRewritten > 0);
        // It gave its claim back: another instance can take the partition at once.
        var snapshot = await ownership.ListAsync(LogCompactor.ClaimGroup, "claimed", default);
        Assert.DoesNotContain(snapshot.Claims, c => c.IsLive(snapshot.StorageNow));
    }

    [Fact]
    public async Task Topics_take_compaction_settings_and_refuse_bad_ones()
    {
        var topics = new TopicManager(new Platform.Core.Storage.InMemory.InMemoryTopicStore(), TimeProvider.System);
        Assert.Contains("MinCleanableDirtyRatio", TopicManager.Validate(Compacted("bad", ratio: 1.5)), StringComparison.Ordinal);
        Assert.Contains("DeleteRetentionMs", TopicManager.Validate(Compacted("bad", deleteRetentionMs: -5)), StringComparison.Ordinal);
        Assert.Contains("MaxCompactionLagMs", TopicManager.Validate(Compacted("bad") with { MinCompactionLagMs = 10_000, MaxCompactionLagMs = 5_000 }), StringComparison.Ordinal);
        var created = await topics.CreateAsync(Compacted("good") with { MinCompactionLagMs = 5, MaxCompactionLagMs = 60_000 }, default);
        Assert.Equal(60_000, (await topics.GetAsync("good", default)).MaxCompactionLagMs);
        Assert.True(created.IsCompacted);
    }

    private sealed class InjectedFault() : Exception("injected compactor death");

    /// <summary>Dies at the <c>failAt</c>-th compaction step: a staged block, a commit, an index replacement, a generation deleted.</summary>
    private sealed class CompactionFaults(ISegmentStore inner, IOffsetIndex index, int failAt) : ISegmentStore
    {
        private int _steps;
        private IOffsetIndex? _index;

        public IOffsetIndex Index => _index ??= new FaultyIndex(index, Step);

        private void Step()
        {
            if (Interlocked.Increment(ref _steps) == failAt) throw new InjectedFault();
        }

        public Task<IReadOnlyList<long>> ListSegmentsAsync(TopicPartition partition, CancellationToken cancellationToken) => inner.ListSegmentsAsync(partition, cancellationToken);
        public Task<IReadOnlyList<SegmentRef>> ListGenerationsAsync(TopicPartition partition, CancellationToken cancellationToken) => inner.ListGenerationsAsync(partition, cancellationToken);
        public Task<SegmentInfo?> GetSegmentAsync(TopicPartition partition, long baseOffset, CancellationToken cancellationToken) => inner.GetSegmentAsync(partition, baseOffset, cancellationToken);
        public Task<SegmentInfo?> GetGenerationAsync(TopicPartition partition, SegmentRef segment, CancellationToken cancellationToken) => inner.GetGenerationAsync(partition, segment, cancellationToken);
        public Task<bool> CreateSegmentAsync(TopicPartition partition, long baseOffset, SegmentLimits limits, CancellationToken cancellationToken) => inner.CreateSegmentAsync(partition, baseOffset, limits, cancellationToken);
        public Task<AppendOutcome> AppendAsync(TopicPartition partition, long baseOffset, ReadOnlyMemory<byte> data, long expectedPosition, long maxSize, CancellationToken cancellationToken) => inner.AppendAsync(partition, baseOffset, data, expectedPosition, maxSize, cancellationToken);
        public Task<int> ReadAsync(TopicPartition partition, SegmentRef segment, long position, Memory<byte> destination, CancellationToken cancellationToken) => inner.ReadAsync(partition, segment, position, destination, cancellationToken);
        public Task<bool> DeleteSegmentAsync(TopicPartition partition, long baseOffset, CancellationToken cancellationToken) => inner.DeleteSegmentAsync(partition, baseOffset, cancellationToken);
        public ISegmentUpload BeginRewrite(TopicPartition partition, SegmentRef segment) => new FaultyUpload(inner.BeginRewrite(partition, segment), Step);

        public Task<bool> DeleteGenerationAsync(TopicPartition partition, SegmentRef segment, CancellationToken cancellationToken)
        {
            Step();
            return inner.DeleteGenerationAsync(partition, segment, cancellationToken);
        }
    }

    private sealed class FaultyUpload(ISegmentUpload inner, Action step) : ISegmentUpload
    {
        public Task StageAsync(ReadOnlyMemory<byte> block, CancellationToken cancellationToken)
        {
            step();
            return inner.StageAsync(block, cancellationToken);
        }

        public Task<bool> CommitAsync(CancellationToken cancellationToken)
        {
            step();
            return inner.CommitAsync(cancellationToken);
        }
    }

    private sealed class FaultyIndex(IOffsetIndex inner, Action step) : IOffsetIndex
    {
        public Task AddAsync(TopicPartition partition, IReadOnlyList<BatchIndexEntry> entries, CancellationToken cancellationToken) => inner.AddAsync(partition, entries, cancellationToken);
        public Task<BatchIndexEntry?> FindByOffsetAsync(TopicPartition partition, long offset, CancellationToken cancellationToken) => inner.FindByOffsetAsync(partition, offset, cancellationToken);
        public Task<BatchIndexEntry?> FindByTimeAsync(TopicPartition partition, long appendTime, CancellationToken cancellationToken) => inner.FindByTimeAsync(partition, appendTime, cancellationToken);
        public Task DeleteBeforeAsync(TopicPartition partition, long offset, CancellationToken cancellationToken) => inner.DeleteBeforeAsync(partition, offset, cancellationToken);

        public Task ClearAsync(TopicPartition partition, CancellationToken cancellationToken) => inner.ClearAsync(partition, cancellationToken);

        public Task ReplaceAsync(TopicPartition partition, IndexSpan span, IReadOnlyList<BatchIndexEntry> entries, CancellationToken cancellationToken)
        {
            step();
            return inner.ReplaceAsync(partition, span, entries, cancellationToken);
        }
    }
}
