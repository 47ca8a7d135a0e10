using System.Collections.Concurrent;
using System.Text;
using Platform.Core.Log;
using Platform.Core.Log.Appending;
using Platform.Core.Log.Reading;
using Platform.Core.Log.Topics;
using Platform.Core.Options;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Model;

/// <summary>
/// One randomized schedule against the log: several writers (separate engines, as separate processes, with different
/// segment settings) take concurrent produce calls with and without idempotency keys, some cancelled, some retried,
/// some writers restarted, over storage that fails, loses answers and stalls, with an index that has holes; readers
/// fetch and seek while it runs. Everything is drawn from the seed. Afterwards the log is checked against the model:
/// what was acknowledged is there exactly once at the offset it was told, and nothing appears twice.
/// </summary>
public sealed class LogSchedule(int seed, int steps, Func<string, Task<StorageSet>>? azure = null)
{
    private static readonly TimeSpan CallGuard = TimeSpan.FromSeconds(20);

    private readonly Random _plan = new(seed);
    private readonly ConcurrentBag<string> _violations = [];
    private readonly ConcurrentDictionary<(int Partition, long Offset), string> _acked = new();
    private readonly ConcurrentDictionary<string, string> _history = new();
    private readonly ConcurrentBag<(long Time, long? Offset, int Partition)> _seeks = [];
    private int _nextId;
    private int _retriesReportedNew;

    /// <summary>Retries answered with the original offsets but without the Duplicate flag (see the comment where they are counted).</summary>
    public int RetriesReportedNew => _retriesReportedNew;

    public int Seed => seed;

    public int Steps => steps;

    /// <summary>Runs the schedule; returns what broke (empty when every promise held).</summary>
    public async Task<IReadOnlyList<string>> RunAsync()
    {
        string topic = "m" + seed.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
        StorageSet clean = azure is null ? StorageSet.InMemory() : await azure(topic);
        var rates = new FaultRates(
            FailBeforeAppend: Pick(0, 0.02, 0.1),
            LoseAppendResponse: Pick(0, 0.05, 0.15),
            StallAppend: Pick(0, 0, 0, 0.01),
            FailRead: Pick(0, 0, 0.02));
        var faulty = new FaultySegmentStore(clean.Segments, rates, seed);
        var index = new HoleyIndex(clean.Index, Pick(0, 0.2, 0.5), seed + 1);
        StorageSet stores = clean with { Segments = faulty, Index = index };
        int partitions = _plan.Next(1, 3);
        int writerCount = _plan.Next(1, 4);
        var writers = new TestEngine[writerCount];
        var retired = new ConcurrentBag<TestEngine>();
        for (int i = 0; i < writerCount; i++)
        {
            writers[i] = new TestEngine(stores, WriterOptions());
        }

        await writers[0].Topics.CreateAsync(new TopicConfig { Name = topic, Partitions = partitions, MaxRecordBytes = 4 * 1024 * 1024, Compression = Pick(Platform.Core.Log.Batches.CompressionCodec.None, Platform.Core.Log.Batches.CompressionCodec.Zstd), SegmentMs = Pick(-1L, -1L, 5L, 40L) }, default);
        long started = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        // The plan is drawn up front, from the seed alone; the clients then run it concurrently.
        int clients = _plan.Next(2, 6);
        var plans = Enumerable.Range(0, clients).Select(_ => new List<Op>()).ToArray();
        for (int s = 0; s < steps; s++)
        {
            plans[_plan.Next(clients)].Add(NextOp(partitions, writerCount));
        }

        await Task.WhenAll(plans.Select(plan => Task.Run(async () =>
        {
            foreach (Op op in plan)
            {
                await RunOpAsync(op, topic, writers, stores, retired);
            }
        })));

        // Verify on clean storage: the faults were the storage's, not the truth's.
        await using var verifier = new TestEngine(clean);
        var logs = new List<LogRecord>[partitions];
        for (int p = 0; p < partitions; p++)
        {
            logs[p] = await Records.ReadAllAsync(verifier.Reader, topic, p, 1024 * 1024);
            for (int i = 0; i < logs[p].Count; i++)
            {
                if (logs[p][i].Offset != i)
                {
                    _violations.Add($"partition {p}: offset {logs[p][i].Offset} at position {i} (offsets must be contiguous from 0)");
                    break;
                }
            }

            foreach (var dup in logs[p].GroupBy(Id).Where(g => g.Count() > 1))
            {
                _violations.Add($"partition {p}: record {dup.Key} is in the log {dup.Count()} times, at offsets {string.Join(", ", dup.Select(r => r.Offset))}; its request: {_history.GetValueOrDefault(dup.Key)}");
            }
        }

        foreach (((int partition, long offset), string id) in _acked)
        {
            string? found = offset < logs[partition].Count ? Id(logs[partition][(int)offset]) : null;
            if (found != id)
            {
                _violations.Add($"acknowledged {id} at {partition}/{offset}, but the log holds {found ?? "nothing"} there");
            }
        }

        foreach (var (time, offset, partition) in _seeks)
        {
            CheckSeek(logs[partition], partition, time, offset, final: false);
        }

        for (int p = 0; p < partitions; p++)
        {
            for (int k = 0; k < 3; k++)
            {
                long t = started + _plan.Next(-5, (int)Math.Max(1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - started + 5));
                CheckSeek(logs[p], p, t, await verifier.Reader.FindOffsetByTimeAsync(topic, p, t, default), final: true);
            }
        }

        foreach (TestEngine w in writers.Concat(retired))
        {
            await w.DisposeAsync();
        }

        return [.. _violations];
    }

    private void CheckSeek(List<LogRecord> log, int partition, long time, long? offset, bool final)
    {
        // Never skip: nothing before the answer was appended at or after the time.
        long upTo = offset ?? (final ? log.Count : 0);
        for (int i = 0; i < upTo && i < log.Count; i++)
        {
            if (log[i].AppendTime >= time)
            {
                _violations.Add($"partition {partition}: a seek to time {time} answered {offset?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}, skipping offset {i} appended at {log[i].AppendTime}");
                return;
            }
        }

        if (final && offset is { } o && (o >= log.Count || log[(int)o].AppendTime < time))
        {
            _violations.Add($"partition {partition}: a seek to time {time} answered {o}, which was appended before it");
        }
    }

    private async Task RunOpAsync(Op op, string topic, TestEngine[] writers, StorageSet stores, ConcurrentBag<TestEngine> retired)
    {
        TestEngine writer = writers[op.Writer];
        void Note(string what)
        {
            foreach (ProduceRecord r in op.Records)
            {
                _history.AddOrUpdate(IdOf(r), what, (_, h) => h + "; " + what);
            }
        }

        Note($"{op.Kind} {op.Key} via writer {op.Writer} ({writer.GetHashCode():x}) cancel {op.CancelAfterMs}");
        try
        {
            switch (op.Kind)
            {
                case OpKind.Produce:
                {
                    using var cancel = new CancellationTokenSource();
                    if (op.CancelAfterMs is { } ms)
                    {
                        cancel.CancelAfter(ms);
                    }

                    Task<ProduceResult> call = writer.Producer.ProduceAsync(topic, op.Records, cancel.Token);
                    try
                    {
                        Acknowledge(op, await Guarded(call, "produce"));
                    }
                    catch (PartialProduceException partial)
                    {
                        // What landed was answered with its offsets: those are acknowledged too.
                        for (int i = 0; i < partial.Records.Count; i++)
                        {
                            if (partial.Records[i].Offset is { } offset)
                            {
                                AcknowledgeOne(partial.Records[i].Partition, offset, IdOf(op.Records[i]));
                            }
                        }
                    }

                    break;
                }

                case OpKind.ProduceIdempotent:
                {
                    ProduceResult first;
                    string history = $"sent through writer {op.Writer}";
                    try
                    {
                        first = await Guarded(writer.Producer.ProduceIdempotentAsync(topic, op.Records, op.Key!, default), "idempotent produce");
                    }
                    catch (Exception ex) when (Expected(ex))
                    {
                        history += $", failed ({ex.GetType().Name}: {ex.Message}), retried through writer {op.RetryWriter}";
                        Note(history);
                        first = await Guarded(writers[op.RetryWriter].Producer.ProduceIdempotentAsync(topic, op.Records, op.Key!, default), "idempotent retry"); // a client retries after a failure
                    }

                    Acknowledge(op, first);
                    if (op.Retry)
                    {
                        ProduceResult again = await Guarded(writers[op.RetryWriter].Producer.ProduceIdempotentAsync(topic, op.Records, op.Key!, default), "idempotent retry");
                        // The offsets are the promise. The Duplicate flag is exact except when the retry's own attempt ended
                        // ambiguously at the very position and millisecond the original landed at (documented): counted, not failed.
                        if (!again.Duplicate)
                        {
                            Interlocked.Increment(ref _retriesReportedNew);
                        }

                        if (!again.Records.SequenceEqual(first.Records))
                        {
                            _violations.Add($"retry of idempotent request {op.Key} through writer {op.RetryWriter} answered {Describe(again)} (duplicate: {again.Duplicate}); the original was {Describe(first)} (duplicate: {first.Duplicate}), {history}");
                        }
                    }

                    break;
                }

                case OpKind.Fetch:
                {
                    PartitionOffsets ends = await Guarded(writer.Reader.GetOffsetsAsync(topic, op.Partition, default), "offsets");
                    long offset = ends.Latest == 0 ? 0 : op.OffsetFraction * ends.Latest / 1000;
                    FetchResult fetch = await Guarded(writer.Reader.FetchAsync(topic, op.Partition, offset, op.MaxBytes, op.MaxRecords, default), "fetch");
                    CheckFetch(op, offset, fetch);
                    break;
                }

                case OpKind.Seek:
                {
                    long t = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - op.OffsetFraction;
                    _seeks.Add((t, await Guarded(writer.Reader.FindOffsetByTimeAsync(topic, op.Partition, t, default), "seek"), op.Partition));
                    break;
                }

                case OpKind.Restart:
                    // The old instance is abandoned, not stopped: whatever it had in flight may still land, like a killed process's.
                    retired.Add(writers[op.Writer]);
                    writers[op.Writer] = new TestEngine(stores, WriterOptions());
                    break;
            }
        }
        catch (Exception ex) when (Expected(ex))
        {
            // Refused, failed or cancelled: not acknowledged, so the model expects nothing of it (at most once in the log).
            Note($"failed: {ex.GetType().Name}: {ex.Message}");
        }
        catch (Exception ex)
        {
            _violations.Add($"{op.Kind} failed unexpectedly: {ex.GetType().Name}: {ex.Message}");
        }
    }

    private static bool Expected(Exception ex) =>
        ex is LogException or OperationCanceledException or PartialProduceException or Azure.RequestFailedException or TimeoutException;

    private async Task<T> Guarded<T>(Task<T> call, string what)
    {
        try
        {
            return await call.WaitAsync(CallGuard);
        }
        catch (TimeoutException) when (!call.IsCompleted)
        {
            _violations.Add($"a {what} call did not return within {CallGuard.TotalSeconds} s");
            throw new InvalidOperationException("hung");
        }
    }

    private void Acknowledge(Op op, ProduceResult result)
    {
        for (int i = 0; i < result.Records.Count; i++)
        {
            AcknowledgeOne(result.Records[i].Partition, result.Records[i].Offset, IdOf(op.Records[i]));
        }
    }

    private void AcknowledgeOne(int partition, long offset, string id)
    {
        if (!_acked.TryAdd((partition, offset), id) && _acked[(partition, offset)] != id)
        {
            _violations.Add($"offset {partition}/{offset} was acknowledged to {id} and to {_acked[(partition, offset)]}");
        }
    }

    private void CheckFetch(Op op, long offset, FetchResult fetch)
    {
        if (fetch.Records.Count > op.MaxRecords)
        {
            _violations.Add($"fetch of {op.MaxRecords} records from {op.Partition}/{offset} returned {fetch.Records.Count}");
        }

        for (int i = 0; i < fetch.Records.Count; i++)
        {
            if (fetch.Records[i].Offset != offset + i)
            {
                _violations.Add($"fetch from {op.Partition}/{offset} returned offset {fetch.Records[i].Offset} at position {i}");
                return;
            }
        }

        long expectedNext = fetch.Records.Count > 0 ? fetch.Records[^1].Offset + 1 : offset;
        if (fetch.NextOffset != expectedNext)
        {
            _violations.Add($"fetch from {op.Partition}/{offset} returned {fetch.Records.Count} records and next offset {fetch.NextOffset}");
        }
    }

    private Op NextOp(int partitions, int writerCount)
    {
        int writer = _plan.Next(writerCount);
        int roll = _plan.Next(100);
        if (roll < 45)
        {
            int? cancelAfter = _plan.Next(10) == 0 ? _plan.Next(0, 3) : null;
            return new Op(OpKind.Produce, writer, RecordsFor(partitions), CancelAfterMs: cancelAfter);
        }

        if (roll < 65)
        {
            string key = $"k{seed}-{Interlocked.Increment(ref _nextId)}";
            return new Op(OpKind.ProduceIdempotent, writer, RecordsFor(partitions), Key: key, Retry: _plan.Next(3) == 0, RetryWriter: _plan.Next(writerCount));
        }

        if (roll < 85)
        {
            return new Op(OpKind.Fetch, writer, [], Partition: _plan.Next(partitions), OffsetFraction: _plan.Next(0, 1001), MaxBytes: Pick(1, 100, 4096, 64 * 1024, 1024 * 1024, 8 * 1024 * 1024), MaxRecords: Pick(1, 2, 7, 50, 500));
        }

        if (roll < 95)
        {
            return new Op(OpKind.Seek, writer, [], Partition: _plan.Next(partitions), OffsetFraction: _plan.Next(0, 200));
        }

        return new Op(OpKind.Restart, writer, []);
    }

    private ProduceRecord[] RecordsFor(int partitions)
    {
        int count = Pick(1, 1, 2, 3, 5, 20);
        var records = new ProduceRecord[count];
        for (int i = 0; i < count; i++)
        {
            string id = $"s{seed}-r{Interlocked.Increment(ref _nextId)}";
            _history.TryAdd(id, "");
            int size = _plan.Next(100) switch
            {
                < 70 => _plan.Next(1, 200),
                < 95 => _plan.Next(200, 8 * 1024),
                < 99 => _plan.Next(8 * 1024, 600 * 1024),
                _ => _plan.Next(600 * 1024, 4 * 1024 * 1024 - 4096),
            };
            byte[] value = new byte[Math.Max(size, id.Length + 1)];
            Encoding.ASCII.GetBytes(id + "|").CopyTo(value, 0);
            int? partition = _plan.Next(3) == 0 ? _plan.Next(partitions) : null;
            string? key = _plan.Next(2) == 0 ? $"key{_plan.Next(10)}" : null;
            records[i] = new ProduceRecord { Value = value, Partition = partition, Key = key is null ? null : Encoding.UTF8.GetBytes(key) };
        }

        return records;
    }

    private LogOptions WriterOptions()
    {
        int maxBatch = Pick(4 * 1024, 64 * 1024, 4 * 1024 * 1024);
        return new LogOptions
        {
            MaxBatchBytes = maxBatch,
            SegmentBytes = Math.Max(maxBatch, Pick(8 * 1024L, 32 * 1024, 256 * 1024, 4 * 1024 * 1024)),
            SegmentMaxBlocks = Pick(3, 10, 1000, 49_000),
            // A writer that starts knows the producers of this much of the tail (the documented idempotence window): as
            // large as any schedule's log, so that a retry through a restarted writer is held to exactly-once too.
            ProducerStateScanBytes = 256 * 1024 * 1024,
            IndexIntervalBytes = Pick(0, 1024, 8 * 1024),
            AppendTimeout = TimeSpan.FromMilliseconds(400),
            MaxAppendAttempts = 50,
            MaxPendingBytesPerPartition = 64L * 1024 * 1024,
        };
    }

    private T Pick<T>(params T[] choices) => choices[_plan.Next(choices.Length)];

    private static string Id(LogRecord record)
    {
        ReadOnlySpan<byte> v = record.Value!.Value.Span;
        int bar = v.IndexOf((byte)'|');
        return Encoding.ASCII.GetString(bar < 0 ? v : v[..bar]);
    }

    private static string IdOf(ProduceRecord record)
    {
        ReadOnlySpan<byte> v = record.Value!.Value.Span;
        return Encoding.ASCII.GetString(v[..v.IndexOf((byte)'|')]);
    }

    private static string Describe(ProduceResult result) => string.Join(",", result.Records.Select(r => $"{r.Partition}/{r.Offset}"));

    private enum OpKind
    {
        Produce,
        ProduceIdempotent,
        Fetch,
        Seek,
        Restart,
    }

    private sealed record Op(OpKind Kind, int Writer, ProduceRecord[] Records, int? CancelAfterMs = null, string? Key = null, bool Retry = false, int RetryWriter = 0, int Partition = 0, long OffsetFraction = 0, int MaxBytes = 0, int MaxRecords = 0);
}
