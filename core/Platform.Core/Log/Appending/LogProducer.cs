using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Core.Log.Batches;
using Platform.Core.Log.Partitioning;
using Platform.Core.Log.Topics;
using Platform.Core.Options;
using Platform.Core.Storage;

namespace Platform.Core.Log.Appending;

/// <summary>
/// Produces records to topics: validates them, assigns partitions (explicit, Kafka's murmur2 of the
/// key, or sticky for keyless records), hands them to the partition appenders, and answers when every
/// record is durable.
/// </summary>
public sealed partial class LogProducer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<TopicPartition, AppenderSlot> _appenders = new();
    private readonly TopicManager _topics;
    private readonly ISegmentStore _segments;
    private readonly OffsetIndexWriter _index;
    private readonly LogOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly StickyPartitioner _sticky;
    private readonly IAppendListener[] _listeners;
    private readonly LogMetrics? _metrics;
    private readonly Partitioning.WriterLeases? _leases;

    /// <summary>Creates the producer; appenders start lazily per partition.</summary>
    public LogProducer(TopicManager topics, ISegmentStore segments, OffsetIndexWriter index, IOptions<LogOptions> options, TimeProvider time, ILoggerFactory loggers, IEnumerable<IAppendListener>? listeners = null, LogMetrics? metrics = null, Partitioning.WriterLeases? leases = null)
    {
        _metrics = metrics;
        _listeners = [.. listeners ?? []];
        ArgumentNullException.ThrowIfNull(options);
        _topics = topics;
        _segments = segments;
        _index = index;
        _options = options.Value;
        _time = time;
        _loggers = loggers;
        _sticky = new StickyPartitioner(Math.Min(_options.MaxBatchBytes, 256 * 1024));
        _leases = leases;
    }

    /// <summary>
    /// Appends records and returns each one's partition and offset once all are durable. The whole call is checked
    /// (sizes, partitions, queue room on every partition) before anything is appended, so a refusal writes nothing.
    /// A partition's records larger than one batch are split into several batches, appended in order.
    /// </summary>
    /// <exception cref="TopicNotFoundException">No such topic.</exception>
    /// <exception cref="LogException">Invalid or oversize records, busy, or a failed append (nothing appended).</exception>
    /// <exception cref="PartialProduceException">Storage failed after some of the call's batches were durable.</exception>
    public async Task<ProduceResult> ProduceAsync(string topic, IReadOnlyList<ProduceRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        using System.Diagnostics.Activity? activity = PlatformTracing.StartSend(topic, records.Count);
        try
        {
            return await ProduceUntracedAsync(topic, records, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            PlatformTracing.Fail(activity, e);
            throw;
        }
    }

    private async Task<ProduceResult> ProduceUntracedAsync(string topic, IReadOnlyList<ProduceRecord> records, CancellationToken cancellationToken)
    {
        if (records.Count == 0)
        {
            throw new LogException(LogErrorKind.InvalidRequest, "A produce request needs at least one record.");
        }

        TopicConfig config = await _topics.GetAsync(topic, cancellationToken).ConfigureAwait(false);
        RequireKeysWhenCompacted(config, records);
        // Asked only when a record's partition is the platform's to choose: keyed-only topics hold no writer leases.
        IReadOnlyList<int>? led = null;
        (int[] sizes, SortedDictionary<int, List<int>> byPartition) = GroupByPartition(config, records, size => _sticky.Next(topic, config.Partitions, size, led ??= _leases?.Led(topic, config.Partitions) ?? []));

        // Room on every partition first: a busy partition refuses the whole call before any of it is appended.
        var reserved = byPartition.Select(kv => (Appender: GetAppender(new TopicPartition(topic, kv.Key), config), Partition: kv.Key, Indexes: kv.Value, Bytes: kv.Value.Sum(i => sizes[i]))).ToList();
        ReserveAll(reserved.Select(r => (r.Appender, r.Bytes)));

        var appends = new List<(int Partition, List<int> Indexes, Task<AppendResult> Task)>();
        foreach (var (appender, partition, indexes, _) in reserved)
        {
            foreach ((List<int> chunk, int bytes) in SplitIntoBatches(indexes, sizes, _options.MaxBatchBytes - RecordBatchHeader.Size - RecordBatchTrailer.Size, _options.MaxBatchRecords))
            {
                appends.Add((partition, chunk, appender.AppendReservedAsync([.. chunk.Select(i => records[i])], bytes, null, cancellationToken)));
            }
        }

        var outcomes = new RecordOutcome[records.Count];
        Exception? failure = null;
        bool anyLanded = false;
        foreach (var (partition, indexes, task) in appends)
        {
            try
            {
                AppendResult result = await task.ConfigureAwait(false);
                anyLanded = true;
                for (int j = 0; j < indexes.Count; j++)
                {
                    outcomes[indexes[j]] = new RecordOutcome(partition, result.BaseOffset + j, null);
                }
            }
            catch (Exception ex)
            {
                failure ??= ex;
                foreach (int i in indexes)
                {
                    outcomes[i] = new RecordOutcome(partition, null, ex.Message);
                }
            }
        }

        if (failure is not null)
        {
            if (!anyLanded)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            }

            throw new PartialProduceException(outcomes, failure);
        }

        return new ProduceResult([.. outcomes.Select(o => new RecordPosition(o.Partition, o.Offset!.Value))]);
    }

    /// <summary>A compacted topic keeps the last record per key: a record without a key has no place in it (Kafka refuses it too).</summary>
    private static void RequireKeysWhenCompacted(TopicConfig config, IReadOnlyList<ProduceRecord> records)
    {
        if (config.CleanupPolicy == CleanupPolicy.Delete)
        {
            return;
        }

        for (int i = 0; i < records.Count; i++)
        {
            if (records[i].Key is null)
            {
                throw new LogException(LogErrorKind.InvalidRequest, string.Create(CultureInfo.InvariantCulture, $"Topic '{config.Name}' is compacted: every record needs a key (record {i} has none)."));
            }
        }
    }

    /// <summary>
    /// Appends records once per <paramref name="idempotencyKey"/>: the key names a producer of its own, so a
    /// retried request is recognised in the partition's tail and answered with the original offsets.
    /// Keyless records without a partition go where the idempotency key hashes, so a retry lands alike.
    /// A partition's records larger than one batch become consecutive batches of that producer (sequences
    /// continue), so the retry of a split request is recognised whole.
    /// </summary>
    public Task<ProduceResult> ProduceIdempotentAsync(string topic, IReadOnlyList<ProduceRecord> records, string idempotencyKey, CancellationToken cancellationToken) =>
        ProduceIdempotentAsync(topic, records, idempotencyKey, scope: string.Empty, cancellationToken);

    /// <summary>
    /// As <see cref="ProduceIdempotentAsync(string, IReadOnlyList{ProduceRecord}, string, CancellationToken)"/>, with the key
    /// scoped to <paramref name="scope"/> (the caller's API key) and the topic, and bound to the request's contents: the
    /// same key with other records is refused (<see cref="LogErrorKind.OutOfOrderSequence"/>, HTTP 409), never replayed.
    /// </summary>
    public async Task<ProduceResult> ProduceIdempotentAsync(string topic, IReadOnlyList<ProduceRecord> records, string idempotencyKey, string scope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        using System.Diagnostics.Activity? activity = PlatformTracing.StartSend(topic, records.Count);
        try
        {
            return await ProduceIdempotentUntracedAsync(topic, records, idempotencyKey, scope, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            PlatformTracing.Fail(activity, e);
            throw;
        }
    }

    private async Task<ProduceResult> ProduceIdempotentUntracedAsync(string topic, IReadOnlyList<ProduceRecord> records, string idempotencyKey, string scope, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(idempotencyKey);
        if (records.Count == 0)
        {
            throw new LogException(LogErrorKind.InvalidRequest, "A produce request needs at least one record.");
        }

        TopicConfig config = await _topics.GetAsync(topic, cancellationToken).ConfigureAwait(false);
        RequireKeysWhenCompacted(config, records);
        byte[] keyBytes = System.Text.Encoding.UTF8.GetBytes(idempotencyKey);
        byte[] digest = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{scope.Length}:{scope}|{topic.Length}:{topic}|{idempotencyKey}"));
        long producerId = (long)(System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(digest) & ProducerStamp.ClientIdMask);
        short epoch = RequestFingerprint(records);
        int fallback = Murmur2.Partition(keyBytes, config.Partitions);
        (int[] sizes, SortedDictionary<int, List<int>> groups) = GroupByPartition(config, records, _ => fallback);

        // Split by the storage's block limit, not this instance's settings, so that a retry reaching another instance
        // is cut into the same batches with the same sequences.
        var plan = new List<(PartitionAppender Appender, int Partition, List<(List<int> Indexes, int Bytes)> Batches, int Bytes)>(groups.Count);
        foreach ((int partition, List<int> indexes) in groups)
        {
            List<(List<int>, int)> batches = [.. SplitIntoBatches(indexes, sizes, Storage.SegmentLimits.MaxBlockBytes - RecordBatchHeader.Size - RecordBatchTrailer.Size, IdempotentBatchRecords)];
            if (batches.Count > Idempotence.ProducerStateTable.RememberedBatches)
            {
                throw new LogException(LogErrorKind.RecordTooLarge, string.Create(CultureInfo.InvariantCulture, $"With an Idempotency-Key, the records for one partition must fit in {Idempotence.ProducerStateTable.RememberedBatches} batches of 4 MiB; partition {partition} needs {batches.Count}. Send smaller requests."));
            }

            plan.Add((GetAppender(new TopicPartition(topic, partition), config), partition, batches, batches.Sum(b => b.Item2)));
        }

        ReserveAll(plan.Select(p => (p.Appender, p.Bytes)));
        var outcomes = new RecordOutcome[records.Count];
        bool duplicate = true, anyLanded = false;
        Exception? failure = null;
        foreach ((PartitionAppender appender, int partition, var batches, _) in plan)
        {
            int sequence = 0;
            for (int b = 0; b < batches.Count; b++)
            {
                (List<int> indexes, int bytes) = batches[b];
                if (failure is not null)
                {
                    appender.Release(bytes); // never sent: give its room back
                    Fail(outcomes, partition, indexes, failure);
                    continue;
                }

                try
                {
                    AppendResult result = await appender.AppendReservedAsync([.. indexes.Select(i => records[i])], bytes, new ProducerStamp(producerId, epoch, sequence), cancellationToken, exactEpoch: true).ConfigureAwait(false);
                    duplicate &= result.Duplicate;
                    anyLanded = true;
                    for (int j = 0; j < indexes.Count; j++)
                    {
                        outcomes[indexes[j]] = new RecordOutcome(partition, result.BaseOffset + j, null);
                    }
                }
                catch (LogException ex) when (ex.Kind == LogErrorKind.OutOfOrderSequence)
                {
                    failure = new LogException(LogErrorKind.OutOfOrderSequence, $"Idempotency-Key '{idempotencyKey}' was used before for a different request.", ex);
                    Fail(outcomes, partition, indexes, failure);
                }
                catch (Exception ex)
                {
                    failure = ex;
                    Fail(outcomes, partition, indexes, failure);
                }

                sequence += indexes.Count;
            }
        }

        if (failure is not null)
        {
            if (!anyLanded || failure is LogException { Kind: LogErrorKind.OutOfOrderSequence })
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            }

            throw new PartialProduceException(outcomes, failure); // retry the whole request with the same key: what landed is recognised
        }

        var positions = outcomes.Select(o => new RecordPosition(o.Partition, o.Offset!.Value)).ToArray();
        return new ProduceResult(positions, duplicate);
    }

    /// <summary>
    /// Appends one idempotent producer's batch to one partition. A retry of a batch already in the log
    /// (same producer id, epoch and sequences, within its last five batches) returns the original offsets.
    /// </summary>
    public async Task<AppendResult> AppendIdempotentAsync(string topic, int partition, ProducerStamp producer, IReadOnlyList<ProduceRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0 || !producer.IsIdempotent || producer.Epoch < 0 || producer.BaseSequence < 0)
        {
            throw new LogException(LogErrorKind.InvalidRequest, "An idempotent append needs records, a producer id, an epoch and a base sequence that are not negative.");
        }

        if (producer.BaseSequence > int.MaxValue - records.Count + 1)
        {
            throw new LogException(LogErrorKind.InvalidRequest, string.Create(CultureInfo.InvariantCulture, $"Base sequence {producer.BaseSequence} plus {records.Count} records passes the largest sequence ({int.MaxValue}); start a new epoch at sequence 0."));
        }

        TopicConfig config = await _topics.GetAsync(topic, cancellationToken).ConfigureAwait(false);
        RequireKeysWhenCompacted(config, records);
        if (partition < 0 || partition >= config.Partitions)
        {
            throw new LogException(LogErrorKind.InvalidRequest, string.Create(CultureInfo.InvariantCulture, $"Topic '{topic}' has partitions 0 to {config.Partitions - 1}; got {partition}."));
        }

        int bytes = 0;
        for (int i = 0; i < records.Count; i++)
        {
            bytes += CheckSize(config, records[i], i);
        }

        return await GetAppender(new TopicPartition(topic, partition), config).AppendAsync(records, bytes, producer, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (AppenderSlot slot in _appenders.Values)
        {
            if (slot.IsCreated)
            {
                await slot.Appender.DisposeAsync().ConfigureAwait(false);
            }
        }

        if (_leases is not null)
        {
            // Hand this instance's partitions over at once instead of after their leases lapse.
            await _leases.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>15 bits of a hash of the request's records (partition, key, value, headers, timestamp): the epoch that binds a key to its contents.</summary>
    private static short RequestFingerprint(IReadOnlyList<ProduceRecord> records)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        byte[] number = new byte[8];
        void Bytes(ReadOnlyMemory<byte>? value)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(number, value?.Length ?? -1);
            hash.AppendData(number);
            if (value is { } v)
            {
                hash.AppendData(v.Span);
            }
        }

        foreach (ProduceRecord r in records)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(number, ((long)(r.Partition ?? -1) << 32) ^ (r.Timestamp ?? -1));
            hash.AppendData(number);
            Bytes(r.Key);
            Bytes(r.Value);
            foreach (RecordHeader h in r.Headers)
            {
                Bytes(System.Text.Encoding.UTF8.GetBytes(h.Key));
                Bytes(h.Value);
            }
        }

        return (short)(System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(hash.GetHashAndReset()) & 0x7FFF);
    }

    /// <summary>Records per batch of an idempotent request: a constant, so every instance splits a request alike.</summary>
    private const int IdempotentBatchRecords = 10_000;

    /// <summary>Reserves queue room on every partition, or none: a busy partition refuses the whole call.</summary>
    private static void ReserveAll(IEnumerable<(PartitionAppender Appender, int Bytes)> wanted)
    {
        var done = new List<(PartitionAppender Appender, int Bytes)>();
        foreach ((PartitionAppender appender, int bytes) in wanted)
        {
            if (appender.TryReserve(bytes) is { } busy)
            {
                foreach (var r in done)
                {
                    r.Appender.Release(r.Bytes);
                }

                throw busy;
            }

            done.Add((appender, bytes));
        }
    }

    private static void Fail(RecordOutcome[] outcomes, int partition, List<int> indexes, Exception failure)
    {
        foreach (int i in indexes)
        {
            outcomes[i] = new RecordOutcome(partition, null, failure.Message);
        }
    }

    /// <summary>Consecutive runs of records that each fit one batch (bytes and record count), in order.</summary>
    private static IEnumerable<(List<int> Indexes, int Bytes)> SplitIntoBatches(List<int> indexes, int[] sizes, int limit, int maxRecords)
    {
        var current = new List<int>();
        int bytes = 0;
        foreach (int i in indexes)
        {
            if (current.Count > 0 && (bytes + sizes[i] > limit || current.Count >= maxRecords))
            {
                yield return (current, bytes);
                current = [];
                bytes = 0;
            }

            current.Add(i);
            bytes += sizes[i];
        }

        yield return (current, bytes);
    }

    /// <summary>
    /// The partition a record names, or else the one its key hashes to (Kafka's murmur2); null for a keyless record
    /// without one, whose partition the platform chooses.
    /// </summary>
    public static int? PartitionByKey(ProduceRecord record, int partitions)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.Partition ?? (record.Key is { } key ? Murmur2.Partition(key.Span, partitions) : null);
    }

    /// <summary>
    /// Checks every record (size, partition) and groups their indexes by partition, in partition order: the explicit
    /// one, else Kafka's murmur2 of the key, else <paramref name="keyless"/> (given the record's size).
    /// </summary>
    private (int[] Sizes, SortedDictionary<int, List<int>> ByPartition) GroupByPartition(TopicConfig config, IReadOnlyList<ProduceRecord> records, Func<int, int> keyless)
    {
        var sizes = new int[records.Count];
        var byPartition = new SortedDictionary<int, List<int>>();
        for (int i = 0; i < records.Count; i++)
        {
            ProduceRecord record = records[i];
            sizes[i] = CheckSize(config, record, i);
            int partition = PartitionByKey(record, config.Partitions) ?? keyless(sizes[i]);
            CheckPartition(config, partition, i);
            if (!byPartition.TryGetValue(partition, out List<int>? indexes))
            {
                byPartition[partition] = indexes = [];
            }

            indexes.Add(i);
        }

        return (sizes, byPartition);
    }

    private static void CheckPartition(TopicConfig config, int partition, int index)
    {
        if (partition < 0 || partition >= config.Partitions)
        {
            throw new LogException(LogErrorKind.InvalidRequest, string.Create(CultureInfo.InvariantCulture, $"Record {index} names partition {partition}; topic '{config.Name}' has partitions 0 to {config.Partitions - 1}."));
        }
    }

    /// <summary>True when <paramref name="record"/> alone fits <paramref name="config"/>'s record limit and one batch.</summary>
    public bool Fits(TopicConfig config, ProduceRecord record)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(record);
        return SizeProblem(config, record, 0).Problem is null;
    }

    private int CheckSize(TopicConfig config, ProduceRecord record, int index)
    {
        (int size, string? problem) = SizeProblem(config, record, index);
        return problem is null ? size : throw new LogException(LogErrorKind.RecordTooLarge, problem);
    }

    /// <summary>The record's estimated encoded size, and why it is too large for the topic or for one batch, if it is.</summary>
    private (int Size, string? Problem) SizeProblem(TopicConfig config, ProduceRecord record, int index)
    {
        int batchLimit = _options.MaxBatchBytes - RecordBatchHeader.Size - RecordBatchTrailer.Size;
        int limit = Math.Min(config.MaxRecordBytes, batchLimit);
        int actual = record.CountedBytes();
        int size = RecordBatchEncoder.EstimateSize(record);
        return actual > limit ? (size, string.Create(CultureInfo.InvariantCulture, $"Record {index} is {actual} bytes (key, value and headers); topic '{config.Name}' accepts at most {limit}."))
            : size > batchLimit ? (size, string.Create(CultureInfo.InvariantCulture, $"Record {index} takes up to {size} bytes with its headers; one batch holds at most {batchLimit}."))
            : (size, null);
    }

    private AppenderSlot NewSlot(TopicPartition tp, TopicConfig config) => new(config, () =>
    {
        ILogger logger = _loggers.CreateLogger<PartitionAppender>();
        var writer = new PartitionWriter(tp, _segments, _options, _time, logger, _metrics) { SegmentMs = config.SegmentMs };
        return (writer, logger);
    }, (writer, logger, codec) => new PartitionAppender(writer, _index, codec, _options, _time, logger, _listeners));

    private async Task RetireAsync(PartitionAppender appender)
    {
        try
        {
            await appender.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogRetireFailed(_loggers.CreateLogger<LogProducer>(), e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopping the appender of a deleted topic failed")]
    private static partial void LogRetireFailed(ILogger logger, Exception exception);

    private PartitionAppender GetAppender(TopicPartition tp, TopicConfig config)
    {
        while (true)
        {
            AppenderSlot slot = _appenders.GetOrAdd(tp, static (key, state) => state.Producer.NewSlot(key, state.Config), (Producer: this, Config: config));
            if (slot.CreatedAt >= config.CreatedAt)
            {
                // The same topic (a changed compression or segment.ms applies from the next batch), or a request that read
                // an older, deleted one from a cache: it goes to the current appender, never brings the old one back.
                if (slot.CreatedAt == config.CreatedAt) slot.Apply(config);
                return slot.Appender;
            }

            // The topic was deleted and created again under its name: this appender's idea of the log's end is the old topic's.
            if (_appenders.TryRemove(new KeyValuePair<TopicPartition, AppenderSlot>(tp, slot)) && slot.IsCreated)
            {
                _ = RetireAsync(slot.Appender);
            }
        }
    }
}
