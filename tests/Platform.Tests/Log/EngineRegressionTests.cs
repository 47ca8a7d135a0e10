using Azure;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.Core.Log;
using Platform.Core.Log.Appending;
using Platform.Core.Log.Batches;
using Platform.Core.Log.Reading;
using Platform.Core.Log.Topics;
using Platform.Core.Options;
using Platform.Core.Storage;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Log;

/// <summary>One test per defect found by the engine review (issue 9): each failed on the code before its fix.</summary>
public sealed class EngineRegressionTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private static ProduceRecord Bytes(int size, byte fill, string? key = null) => new()
    {
        Key = key is null ? null : System.Text.Encoding.UTF8.GetBytes(key),
        Value = Enumerable.Repeat(fill, size).ToArray(),
    };

    private static async Task<string> TopicAsync(TestEngine engine, string name, int partitions = 1)
    {
        await engine.Topics.CreateAsync(new TopicConfig { Name = name, Partitions = partitions, MaxRecordBytes = 4 * 1024 * 1024 }, default);
        return name;
    }

    [Fact]
    public async Task A_fetch_returns_when_the_next_batch_is_larger_than_what_is_left_of_the_budget()
    {
        // Before: 500 KiB then 600 KiB, fetched from 0 with 1 MiB, looped forever.
        await using var engine = new TestEngine(StorageSet.InMemory());
        string topic = await TopicAsync(engine, "big");
        await engine.Producer.ProduceAsync(topic, [Bytes(500 * 1024, 1)], default);
        await engine.Producer.ProduceAsync(topic, [Bytes(600 * 1024, 2)], default);

        FetchResult first = await Task.Run(() => engine.Reader.FetchAsync(topic, 0, 0, LogReader.DefaultMaxBytes, 500, default)).WaitAsync(Guard); // a loop that never yields must fail, not hang
        Assert.Equal([0L], first.Records.Select(r => r.Offset));
        Assert.Equal(1, first.NextOffset);
        FetchResult second = await engine.Reader.FetchAsync(topic, 0, 1, 1, 500, default).WaitAsync(Guard);
        Assert.Equal([1L], second.Records.Select(r => r.Offset)); // the first batch whole, whatever the budget
        Assert.Equal(600 * 1024, second.Records[0].Value!.Value.Length);
    }

    [Fact]
    public async Task A_fetch_returns_when_a_large_batch_waits_in_the_next_segment()
    {
        await using var engine = new TestEngine(StorageSet.InMemory(), new LogOptions { SegmentBytes = 4 * 1024 * 1024 });
        string topic = await TopicAsync(engine, "roll");
        await engine.Producer.ProduceAsync(topic, [Bytes(3 * 1024 * 1024, 1)], default);
        await engine.Producer.ProduceAsync(topic, [Bytes(1024 * 1024 + 10, 2)], default); // seals segment 0
        await engine.Producer.ProduceAsync(topic, [Bytes((int)(3.5 * 1024 * 1024), 3)], default); // segment 2

        FetchResult fetch = await Task.Run(() => engine.Reader.FetchAsync(topic, 0, 0, (int)(4.5 * 1024 * 1024), 500, default)).WaitAsync(Guard);
        Assert.Equal([0L, 1], fetch.Records.Select(r => r.Offset));
        Assert.Equal(2, fetch.NextOffset);
        Assert.Equal([2L], (await engine.Reader.FetchAsync(topic, 0, 2, 1024, 500, default).WaitAsync(Guard)).Records.Select(r => r.Offset));
    }

    [Fact]
    public async Task A_caller_cancelled_while_its_records_are_in_flight_does_not_shift_the_others_offsets()
    {
        StorageSet memory = StorageSet.InMemory();
        var scripted = new ScriptedSegmentStore(memory.Segments);
        await using var engine = new TestEngine(memory with { Segments = scripted });
        string topic = await TopicAsync(engine, "cancel");
        var entered = new SemaphoreSlim(0);
        var gate = new SemaphoreSlim(0);
        scripted.BeforeAppend = async (_, ct) =>
        {
            entered.Release();
            await gate.WaitAsync(ct);
        };

        Task<ProduceResult> a = engine.Producer.ProduceAsync(topic, [Records.Text("a")], default);
        await entered.WaitAsync(Guard); // a is in flight; b, c, d queue behind it and form the next batch
        using var cancelC = new CancellationTokenSource();
        Task<ProduceResult> b = engine.Producer.ProduceAsync(topic, [Records.Text("b")], default);
        Task<ProduceResult> c = engine.Producer.ProduceAsync(topic, [Records.Text("c1"), Records.Text("c2")], cancelC.Token);
        Task<ProduceResult> d = engine.Producer.ProduceAsync(topic, [Records.Text("d")], default);
        gate.Release();
        await entered.WaitAsync(Guard); // the batch of b, c, d is being appended
        await cancelC.CancelAsync();
        gate.Release();
        scripted.BeforeAppend = null;

        // c's records went into the batch before it was cancelled: it is answered with their offsets, and nobody else's move.
        ProduceResult[] results = await Task.WhenAll(a, b, c, d).WaitAsync(Guard);
        var log = (await Records.ReadAllAsync(engine.Reader, topic, 0)).ToDictionary(r => r.Offset, r => r.Text());
        Assert.Equal(5, log.Count);
        string[][] expected = [["a"], ["b"], ["c1", "c2"], ["d"]];
        for (int i = 0; i < results.Length; i++)
        {
            Assert.Equal(expected[i], results[i].Records.Select(r => log[r.Offset]));
        }
    }

    [Fact]
    public async Task Writers_with_different_segment_settings_never_fork_a_partition()
    {
        // Before: the seal rule came from each writer's own options; during a rolling change one writer rolled to a
        // new segment while the other kept appending to the old one at the same offsets.
        StorageSet shared = StorageSet.InMemory();
        await using var small = new TestEngine(shared, new LogOptions { SegmentBytes = 8 * 1024, MaxBatchBytes = 4 * 1024, ProducerStateScanBytes = 4 * 1024, IndexIntervalBytes = 0 });
        await using var large = new TestEngine(shared, new LogOptions { SegmentBytes = 64 * 1024, MaxBatchBytes = 4 * 1024, ProducerStateScanBytes = 4 * 1024, IndexIntervalBytes = 0 });
        string topic = await TopicAsync(small, "rolling");
        var acked = new Dictionary<long, string>();
        for (int i = 0; i < 60; i++)
        {
            TestEngine writer = (i / 3) % 2 == 0 ? small : large;
            string value = $"r{i}-" + new string('x', 500);
            ProduceResult r = await writer.Producer.ProduceAsync(topic, [Records.Text(value)], default);
            acked.Add(r.Records[0].Offset, value);
        }

        var log = await Records.ReadAllAsync(small.Reader, topic, 0);
        Assert.Equal(Enumerable.Range(0, 60).Select(i => (long)i), log.Select(r => r.Offset));
        Assert.All(log, r => Assert.Equal(acked[r.Offset], r.Text()));
    }

    [Fact]
    public async Task After_an_abandoned_append_a_writer_catches_up_forward_and_still_knows_every_producer()
    {
        // Before: the reload rescanned only ProducerStateScanBytes of the tail and forgot a producer whose batch
        // another instance appended further back, so its retry was appended twice.
        StorageSet shared = StorageSet.InMemory();
        var scripted = new ScriptedSegmentStore(shared.Segments);
        var options = new LogOptions { MaxBatchBytes = 4 * 1024, ProducerStateScanBytes = 4 * 1024, AppendTimeout = TimeSpan.FromMilliseconds(500) };
        await using var a = new TestEngine(shared with { Segments = scripted }, options);
        await using var b = new TestEngine(shared, options);
        string topic = await TopicAsync(a, "reload");
        await a.Producer.ProduceAsync(topic, [Records.Text("first")], default);

        scripted.AfterAppend = (_, _, ct) => Task.Delay(Timeout.Infinite, ct); // a's next append lands and is never answered
        await Assert.ThrowsAsync<LogException>(() => a.Producer.ProduceAsync(topic, [Records.Text("abandoned")], default).WaitAsync(Guard));
        scripted.AfterAppend = null;

        var stamp = new ProducerStamp(4242, 0, 0);
        AppendResult original = await b.Producer.AppendIdempotentAsync(topic, 0, stamp, [Records.Text("once")], default);
        for (int i = 0; i < 40; i++)
        {
            // 1.2 MB: past the window a reload rescans (ProducerStateScanBytes, read in 1 MiB chunks)
            await b.Producer.ProduceAsync(topic, [.. Enumerable.Range(0, 20).Select(_ => Records.Text(new string('f', 1500)))], default);
        }

        AppendResult retry = await a.Producer.AppendIdempotentAsync(topic, 0, stamp, [Records.Text("once")], default).WaitAsync(Guard);
        Assert.True(retry.Duplicate);
        Assert.Equal(original.BaseOffset, retry.BaseOffset);
        Assert.Single(await Records.ReadAllAsync(a.Reader, topic, 0), r => r.Text() == "once");
    }

    [Fact]
    public async Task A_retry_found_after_losing_a_race_is_reported_as_a_duplicate_and_not_announced()
    {
        // Before: 'sent' stayed true after a definite 412, so the retry of a batch another instance wrote came back
        // Duplicate = false (no Idempotent-Replayed), fired the append listeners and was indexed again.
        StorageSet shared = StorageSet.InMemory();
        var time = new AdjustableTime();
        await using var a = new TestEngine(shared, time: time);
        var listener = new CountingListener();
        await using var bIndex = new Platform.Core.Log.Appending.OffsetIndexWriter(shared.Index, Microsoft.Extensions.Options.Options.Create(new LogOptions()), NullLogger<OffsetIndexWriter>.Instance);
        await using var bProducer = new LogProducer(a.Topics, shared.Segments, bIndex, Microsoft.Extensions.Options.Options.Create(new LogOptions()), time, NullLoggerFactory.Instance, [listener]);
        string topic = await TopicAsync(a, "race");
        await bProducer.ProduceAsync(topic, [Records.Text("b loads its view")], default);
        int announced = listener.Count;

        var stamp = new ProducerStamp(77, 0, 0);
        AppendResult original = await a.Producer.AppendIdempotentAsync(topic, 0, stamp, [Records.Text("x")], default);
        time.Advance(TimeSpan.FromSeconds(1)); // not in the same millisecond as the original (see the guarantees' limits)
        AppendResult retry = await bProducer.AppendIdempotentAsync(topic, 0, stamp, [Records.Text("x")], default); // b's first attempt loses the race
        Assert.True(retry.Duplicate);
        Assert.Equal(original.BaseOffset, retry.BaseOffset);
        Assert.Equal(announced, listener.Count);
    }

    [Fact]
    public async Task The_appenders_own_sequence_never_wraps()
    {
        // Before: the per-process producer's int sequence overflowed after 2^31 records and every later call failed.
        StorageSet memory = StorageSet.InMemory();
        var options = new LogOptions();
        await using var index = new OffsetIndexWriter(memory.Index, Microsoft.Extensions.Options.Options.Create(options), NullLogger<OffsetIndexWriter>.Instance);
        var tp = new TopicPartition("wrap", 0);
        var writer = new PartitionWriter(tp, memory.Segments, options, TimeProvider.System, NullLogger.Instance);
        await using var appender = new PartitionAppender(writer, index, () => CompressionCodec.None, options, TimeProvider.System, NullLogger.Instance)
        {
            Identity = new ProducerStamp(123_456, 0, int.MaxValue - 5),
        };

        AppendResult first = await appender.AppendAsync([.. Enumerable.Range(0, 10).Select(i => Records.Text($"v{i}"))], 100, default).WaitAsync(Guard);
        AppendResult second = await appender.AppendAsync([Records.Text("after")], 10, default).WaitAsync(Guard);
        Assert.Equal((0L, 9L, 10L), (first.BaseOffset, first.LastOffset, second.BaseOffset));
        Assert.NotEqual(123_456, appender.Identity.ProducerId);
        Assert.InRange(appender.Identity.BaseSequence, 1, 100);
    }

    [Fact]
    public async Task A_produce_call_larger_than_a_batch_for_one_partition_is_split_and_stays_exactly_once_with_a_key()
    {
        // Before: 413 for any call over 4 MiB to one partition, which OTLP exporters drop as permanent.
        await using var engine = new TestEngine(StorageSet.InMemory());
        string topic = await TopicAsync(engine, "split");
        ProduceRecord[] records = [.. Enumerable.Range(0, 18).Select(i => Bytes(900_000, (byte)i))];
        ProduceResult plain = await engine.Producer.ProduceAsync(topic, records, default);
        Assert.Equal(Enumerable.Range(0, 18).Select(i => (long)i), plain.Records.Select(r => r.Offset));

        ProduceResult keyed = await engine.Producer.ProduceIdempotentAsync(topic, records, "k-split", default);
        ProduceResult replay = await engine.Producer.ProduceIdempotentAsync(topic, records, "k-split", default);
        Assert.False(keyed.Duplicate);
        Assert.True(replay.Duplicate);
        Assert.Equal(keyed.Records, replay.Records);
        List<LogRecord> log = await Records.ReadAllAsync(engine.Reader, topic, 0, 8 * 1024 * 1024);
        Assert.Equal(36, log.Count);
        Assert.Equal(Enumerable.Range(0, 18).Select(i => (byte)i), keyed.Records.Select(r => log[(int)r.Offset].Value!.Value.Span[0]));
    }

    [Fact]
    public async Task A_busy_partition_refuses_the_whole_call_before_any_partition_is_written()
    {
        StorageSet memory = StorageSet.InMemory();
        var scripted = new ScriptedSegmentStore(memory.Segments);
        await using var engine = new TestEngine(memory with { Segments = scripted }, new LogOptions { MaxBatchBytes = 4 * 1024, MaxPendingBytesPerPartition = 4 * 1024 });
        string topic = await TopicAsync(engine, "busy", partitions: 2);
        var gate = new SemaphoreSlim(0);
        scripted.BeforeAppend = (tp, ct) => tp.Partition == 1 ? gate.WaitAsync(ct) : Task.CompletedTask;
        Task<ProduceResult> holding = engine.Producer.ProduceAsync(topic, [Records.Text(new string('h', 3000), partition: 1)], default);
        await Task.Delay(100);

        var busy = await Assert.ThrowsAsync<LogException>(() => engine.Producer.ProduceAsync(topic, [Records.Text("p0", partition: 0), Records.Text(new string('q', 3000), partition: 1)], default));
        Assert.Equal(LogErrorKind.Busy, busy.Kind);
        Assert.Equal(0, (await engine.Reader.GetOffsetsAsync(topic, 0, default)).Latest); // partition 0 untouched
        gate.Release(10);
        await holding.WaitAsync(Guard);
    }

    [Fact]
    public async Task Storage_failing_part_way_answers_what_landed_per_record()
    {
        StorageSet memory = StorageSet.InMemory();
        var scripted = new ScriptedSegmentStore(memory.Segments);
        await using var engine = new TestEngine(memory with { Segments = scripted });
        string topic = await TopicAsync(engine, "partial", partitions: 2);
        await engine.Producer.ProduceAsync(topic, [Records.Text("warm", partition: 0), Records.Text("warm", partition: 1)], default);
        scripted.BeforeAppend = (tp, _) => tp.Partition == 1 ? throw new RequestFailedException(403, "This request is not authorized.") : Task.CompletedTask;

        var partial = await Assert.ThrowsAsync<PartialProduceException>(() => engine.Producer.ProduceAsync(topic, [Records.Text("ok", partition: 0), Records.Text("lost", partition: 1), Records.Text("ok2", partition: 0)], default));
        Assert.Equal([(0, (long?)1), (1, null), (0, 2)], partial.Records.Select(r => (r.Partition, r.Offset)));
        Assert.Contains("not authorized", partial.Records[1].Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_time_seek_never_skips_records_in_an_index_hole_and_an_offset_lookup_walks_only_the_hole()
    {
        // Before: the seek took the first time-index entry at or after T without checking that it follows on from
        // the entry before it; an offset lookup in a hole walked back from the end of the segment.
        StorageSet memory = StorageSet.InMemory();
        var scripted = new ScriptedSegmentStore(memory.Segments);
        var index = new PausableIndex(memory.Index);
        var time = new AdjustableTime();
        await using var engine = new TestEngine(memory with { Segments = scripted }, new LogOptions { IndexIntervalBytes = 0 }, time, index);
        string topic = await TopicAsync(engine, "holes");
        long t0 = time.GetUtcNow().ToUnixTimeMilliseconds();
        await engine.Producer.ProduceAsync(topic, [Records.Text("before")], default); // offset 0, indexed
        await engine.IndexWriter.FlushAsync(default);
        index.DropWrites = true;
        time.Advance(TimeSpan.FromMinutes(10));
        await engine.Producer.ProduceAsync(topic, [Records.Text("in the hole 1")], default); // 1, never indexed
        await engine.Producer.ProduceAsync(topic, [Records.Text("in the hole 2")], default); // 2, never indexed
        await engine.IndexWriter.FlushAsync(default);
        index.DropWrites = false;
        time.Advance(TimeSpan.FromMinutes(10));
        for (int i = 0; i < 300; i++)
        {
            await engine.Producer.ProduceAsync(topic, [Records.Text("after " + new string('a', 2000))], default); // 3.., indexed
        }

        await engine.IndexWriter.FlushAsync(default);
        Assert.Equal(1, await engine.Reader.FindOffsetByTimeAsync(topic, 0, t0 + 5 * 60_000, default));

        scripted.ResetCounters();
        FetchResult fetch = await engine.Reader.FetchAsync(topic, 0, 1, 1024, 1, default);
        Assert.Equal("in the hole 1", fetch.Records[0].Text());
        Assert.InRange(scripted.BytesRead, 1, 200 * 1024); // the hole and one read window, not the 600 KB tail behind it
        BatchIndexEntry? repaired = await memory.Index.FindByOffsetAsync(new TopicPartition(topic, 0), 1, default);
        Assert.Equal((1L, 2L), (repaired!.BaseOffset, repaired.LastOffset)); // the walk wrote the hole back
    }

    [Fact]
    public async Task A_first_try_that_landed_before_the_storage_clients_retry_hit_412_is_answered_as_new_and_indexed()
    {
        // Found by review: the Azure SDK retries an AppendBlock whose answer was lost; the retry fails with 412 because
        // the first try landed. That is a definite outcome, yet the batch found is this call's own.
        StorageSet memory = StorageSet.InMemory();
        var scripted = new ScriptedSegmentStore(memory.Segments);
        var listener = new CountingListener();
        var options = new LogOptions { IndexIntervalBytes = 0 };
        await using var index = new OffsetIndexWriter(memory.Index, Microsoft.Extensions.Options.Options.Create(options), NullLogger<OffsetIndexWriter>.Instance);
        var topics = new TopicManager(memory.Topics, TimeProvider.System);
        await using var producer = new LogProducer(topics, scripted, index, Microsoft.Extensions.Options.Options.Create(options), TimeProvider.System, NullLoggerFactory.Instance, [listener]);
        await topics.CreateAsync(new TopicConfig { Name = "sdk-retry", Partitions = 1 }, default);
        scripted.ReplaceOutcome = (_, applied) => applied.Status == AppendStatus.Appended ? new AppendOutcome(AppendStatus.PositionMismatch) : applied;

        ProduceResult keyed = await producer.ProduceIdempotentAsync("sdk-retry", [Records.Text("k")], "first-time", default).WaitAsync(Guard);
        ProduceResult plain = await producer.ProduceAsync("sdk-retry", [Records.Text("p")], default).WaitAsync(Guard);
        scripted.ReplaceOutcome = null;
        await index.FlushAsync(default);

        Assert.False(keyed.Duplicate); // a first request is not a replay
        Assert.Equal((0L, 1L), (keyed.Records[0].Offset, plain.Records[0].Offset));
        Assert.Equal(2, listener.Count); // both announced to consumers
        Assert.NotNull(await memory.Index.FindByOffsetAsync(new TopicPartition("sdk-retry", 0), 1, default)); // and indexed
    }

    [Fact]
    public async Task A_writer_far_behind_catches_up_across_appends_that_run_out_of_time()
    {
        // Found by review: a catch-up read everything before applying any of it, so a gap too large for one append's
        // deadline was read again from the same place by every later append, forever.
        StorageSet shared = StorageSet.InMemory();
        var slow = new ScriptedSegmentStore(shared.Segments);
        await using var behind = new TestEngine(shared with { Segments = slow }, new LogOptions { AppendTimeout = TimeSpan.FromMilliseconds(400), IndexIntervalBytes = 0 });
        await using var ahead = new TestEngine(shared);
        string topic = await TopicAsync(behind, "behind");
        await behind.Producer.ProduceAsync(topic, [Records.Text("first")], default);
        for (int i = 0; i < 12; i++)
        {
            await ahead.Producer.ProduceAsync(topic, [.. Enumerable.Range(0, 50).Select(_ => Records.Text(new string('g', 10_000)))], default); // 6 MB
        }

        slow.BeforeRead = (_, ct) => Task.Delay(150, ct); // each 1 MiB read of the catch-up costs 150 ms: 6 of them pass one deadline
        ProduceResult? landed = null;
        for (int attempt = 0; attempt < 10 && landed is null; attempt++)
        {
            try
            {
                landed = await behind.Producer.ProduceAsync(topic, [Records.Text("finally")], default).WaitAsync(Guard);
            }
            catch (LogException ex) when (ex.Kind == LogErrorKind.AppendFailed)
            {
                // ran out of time; the next one goes on from where this one got
            }
        }

        slow.BeforeRead = null;
        Assert.NotNull(landed);
        Assert.Equal(601, landed.Records[0].Offset);
    }

    [Fact]
    public async Task A_keyed_request_is_split_alike_by_instances_with_different_batch_sizes_and_refused_whole_when_busy()
    {
        StorageSet shared = StorageSet.InMemory();
        await using var large = new TestEngine(shared);
        await using var small = new TestEngine(shared, new LogOptions { MaxBatchBytes = 1024 * 1024 });
        string topic = await TopicAsync(large, "keyed");
        ProduceRecord[] records = [.. Enumerable.Range(0, 12).Select(i => Bytes(500_000, (byte)i))];
        ProduceResult first = await large.Producer.ProduceIdempotentAsync(topic, records, "cross-instance", default);
        ProduceResult retry = await small.Producer.ProduceIdempotentAsync(topic, records, "cross-instance", default);
        Assert.True(retry.Duplicate);
        Assert.Equal(first.Records, retry.Records);

        var scripted = new ScriptedSegmentStore(shared.Segments);
        await using var busy = new TestEngine(shared with { Segments = scripted }, new LogOptions { MaxBatchBytes = 4 * 1024, MaxPendingBytesPerPartition = 4 * 1024 });
        string two = await TopicAsync(busy, "keyed-busy", partitions: 2);
        var gate = new SemaphoreSlim(0);
        scripted.BeforeAppend = (tp, ct) => tp.Partition == 1 ? gate.WaitAsync(ct) : Task.CompletedTask;
        Task<ProduceResult> holding = busy.Producer.ProduceAsync(two, [Records.Text(new string('h', 3000), partition: 1)], default);
        await Task.Delay(100);
        var refused = await Assert.ThrowsAsync<LogException>(() => busy.Producer.ProduceIdempotentAsync(two, [Records.Text("p0", partition: 0), Records.Text(new string('q', 3000), partition: 1)], "busy-key", default));
        Assert.Equal(LogErrorKind.Busy, refused.Kind);
        Assert.Equal(0, (await busy.Reader.GetOffsetsAsync(two, 0, default)).Latest);
        gate.Release(10);
        await holding.WaitAsync(Guard);
    }

    [Fact]
    public async Task Calls_whose_estimates_fit_a_batch_but_whose_compressed_encoding_does_not_are_stored_uncompressed()
    {
        // Found by review: incompressible records under gzip encode larger than their estimates; a coalesced group
        // that fit by estimate failed together with RecordTooLarge.
        StorageSet memory = StorageSet.InMemory();
        var scripted = new ScriptedSegmentStore(memory.Segments);
        await using var engine = new TestEngine(memory with { Segments = scripted }, new LogOptions { MaxBatchBytes = 1024 * 1024 });
        await engine.Topics.CreateAsync(new TopicConfig { Name = "incompressible", Partitions = 1, Compression = CompressionCodec.Gzip }, default);
        var gate = new SemaphoreSlim(0);
        var entered = new SemaphoreSlim(0);
        scripted.BeforeAppend = async (_, ct) =>
        {
            entered.Release();
            await gate.WaitAsync(ct);
        };
        Task<ProduceResult> warm = engine.Producer.ProduceAsync("incompressible", [Records.Text("warm")], default);
        await entered.WaitAsync(Guard);
        int each = ((1024 * 1024) - RecordBatchHeader.Size - RecordBatchTrailer.Size) / 2 - 40;
        byte[] Noise(int seed)
        {
            byte[] bytes = new byte[each];
            new Random(seed).NextBytes(bytes); // gzip stores random bytes with a few bytes of framing per block: larger than the estimate
            return bytes;
        }

        Task<ProduceResult> a = engine.Producer.ProduceAsync("incompressible", [new ProduceRecord { Value = Noise(1) }], default);
        Task<ProduceResult> b = engine.Producer.ProduceAsync("incompressible", [new ProduceRecord { Value = Noise(2) }], default);
        scripted.BeforeAppend = null;
        gate.Release(10);
        ProduceResult[] results = await Task.WhenAll(warm, a, b).WaitAsync(Guard);
        Assert.Equal([0L, 1, 2], results.Select(r => r.Records[0].Offset));

        byte[] whole = new byte[(1024 * 1024) - RecordBatchHeader.Size - RecordBatchTrailer.Size - 40];
        new Random(3).NextBytes(whole);
        Assert.Equal(3, (await engine.Producer.ProduceAsync("incompressible", [new ProduceRecord { Value = whole }], default)).Records[0].Offset);
        Assert.Equal(whole, (await engine.Reader.FetchAsync("incompressible", 0, 3, 1, 1, default)).Records[0].Value!.Value.ToArray());
    }

    [Fact]
    public async Task Index_entries_still_being_built_are_written_when_the_instance_shuts_down()
    {
        // Issue 18: pending index entries lived in memory only; an instance recycled left a hole behind.
        StorageSet memory = StorageSet.InMemory();
        var engine = new TestEngine(memory, new LogOptions { IndexIntervalBytes = 1024 * 1024, IndexFlushInterval = TimeSpan.FromMinutes(10) });
        string topic = await TopicAsync(engine, "shutdown");
        await engine.Producer.ProduceAsync(topic, [Records.Text("a"), Records.Text("b")], default);
        await engine.Producer.ProduceAsync(topic, [Records.Text("c")], default);
        Assert.Null(await memory.Index.FindByOffsetAsync(new TopicPartition(topic, 0), 0, default)); // still being built

        await engine.DisposeAsync(); // what the host does on shutdown: the producer first, then the index writer
        BatchIndexEntry? entry = await memory.Index.FindByOffsetAsync(new TopicPartition(topic, 0), 0, default);
        Assert.Equal((0L, 2L), (entry!.BaseOffset, entry.LastOffset));
    }

    [Fact]
    public async Task Headers_count_toward_a_topics_record_limit()
    {
        // Issue 10: only key and value were counted, so a small value with megabytes of headers passed the topic's limit.
        await using var engine = new TestEngine(StorageSet.InMemory());
        await engine.Topics.CreateAsync(new TopicConfig { Name = "small", Partitions = 1, MaxRecordBytes = 1024 }, default);
        var refused = await Assert.ThrowsAsync<LogException>(() => engine.Producer.ProduceAsync("small", [new ProduceRecord { Value = new byte[10], Headers = [new RecordHeader("big", new byte[2000])] }], default));
        Assert.Equal(LogErrorKind.RecordTooLarge, refused.Kind);
        Assert.Contains("key, value and headers", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, (await engine.Reader.GetOffsetsAsync("small", 0, default)).Latest);
    }

    private sealed class CountingListener : Platform.Core.Log.Appending.IAppendListener
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void OnAppended(TopicPartition partition) => Interlocked.Increment(ref _count);
    }
}
