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
public sealed class LogProducer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<TopicPartition, Lazy<PartitionAppender>> _appenders = new();
    private readonly TopicManager _topics;
    private readonly ISegmentStore _segments;
    private readonly OffsetIndexWriter _index;
    private readonly LogOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly StickyPartitioner _sticky;
    private readonly Consumers.IAppendListener[] _listeners;

    /// <summary>Creates the producer; appenders start lazily per partition.</summary>
    public LogProducer(TopicManager topics, ISegmentStore segments, OffsetIndexWriter index, IOptions<LogOptions> options, TimeProvider time, ILoggerFactory loggers, IEnumerable<Consumers.IAppendListener>? listeners = null)
    {
        _listeners = [.. listeners ?? []];
        ArgumentNullException.ThrowIfNull(options);
        _topics = topics;
        _segments = segments;
        _index = index;
        _options = options.Value;
        _time = time;
        _loggers = loggers;
        _sticky = new StickyPartitioner(Math.Min(_options.MaxBatchBytes, 256 * 1024));
    }

    /// <summary>Appends records and returns each one's partition and offset once all are durable.</summary>
    /// <exception cref="TopicNotFoundException">No such topic.</exception>
    /// <exception cref="LogException">Invalid or oversize records, busy, or a failed append.</exception>
    public async Task<ProduceResult> ProduceAsync(string topic, IReadOnlyList<ProduceRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            throw new LogException(LogErrorKind.InvalidRequest, "A produce request needs at least one record.");
        }

        TopicConfig config = await _topics.GetAsync(topic, cancellationToken).ConfigureAwait(false);
        var partitionOf = new int[records.Count];
        var sizes = new int[records.Count];
        var groups = new Dictionary<int, (List<ProduceRecord> Records, List<int> Indexes, int Bytes)>();
        for (int i = 0; i < records.Count; i++)
        {
            ProduceRecord record = records[i];
            int size = CheckSize(config, record, i);
            int partition = record.Partition ?? (record.Key is { } key ? Murmur2.Partition(key.Span, config.Partitions) : _sticky.Next(topic, config.Partitions, size));
            if (partition < 0 || partition >= config.Partitions)
            {
                throw new LogException(LogErrorKind.InvalidRequest, string.Create(CultureInfo.InvariantCulture, $"Record {i} names partition {partition}; topic '{topic}' has partitions 0 to {config.Partitions - 1}."));
            }

            partitionOf[i] = partition;
            sizes[i] = size;
            if (!groups.TryGetValue(partition, out var group))
            {
                group = ([], [], 0);
            }

            group.Records.Add(record);
            group.Indexes.Add(i);
            groups[partition] = group with { Bytes = group.Bytes + size };
        }

        var tasks = new List<(int Partition, List<int> Indexes, Task<AppendResult> Task)>(groups.Count);
        foreach ((int partition, var group) in groups)
        {
            PartitionAppender appender = GetAppender(new TopicPartition(topic, partition), config);
            tasks.Add((partition, group.Indexes, appender.AppendAsync(group.Records, group.Bytes, cancellationToken)));
        }

        var positions = new RecordPosition[records.Count];
        foreach (var (partition, indexes, task) in tasks)
        {
            AppendResult result = await task.ConfigureAwait(false);
            for (int j = 0; j < indexes.Count; j++)
            {
                positions[indexes[j]] = new RecordPosition(partition, result.BaseOffset + j);
            }
        }

        return new ProduceResult(positions);
    }

    /// <summary>
    /// Appends records once per <paramref name="idempotencyKey"/>: the key names a producer of its own, so a
    /// retried request is recognised in the partition's tail and answered with the original offsets.
    /// Keyless records without a partition go where the idempotency key hashes, so a retry lands alike.
    /// </summary>
    public async Task<ProduceResult> ProduceIdempotentAsync(string topic, IReadOnlyList<ProduceRecord> records, string idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentException.ThrowIfNullOrEmpty(idempotencyKey);
        if (records.Count == 0)
        {
            throw new LogException(LogErrorKind.InvalidRequest, "A produce request needs at least one record.");
        }

        TopicConfig config = await _topics.GetAsync(topic, cancellationToken).ConfigureAwait(false);
        byte[] keyBytes = System.Text.Encoding.UTF8.GetBytes(idempotencyKey);
        byte[] digest = System.Security.Cryptography.SHA256.HashData(keyBytes);
        long producerId = (long)(System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(digest) & 0x3FFF_FFFF_FFFF_FFFF);
        int fallback = Murmur2.Partition(keyBytes, config.Partitions);
        var groups = new SortedDictionary<int, List<int>>();
        for (int i = 0; i < records.Count; i++)
        {
            CheckSize(config, records[i], i);
            int partition = records[i].Partition ?? (records[i].Key is { } k ? Murmur2.Partition(k.Span, config.Partitions) : fallback);
            if (partition < 0 || partition >= config.Partitions)
            {
                throw new LogException(LogErrorKind.InvalidRequest, string.Create(CultureInfo.InvariantCulture, $"Record {i} names partition {partition}; topic '{topic}' has partitions 0 to {config.Partitions - 1}."));
            }

            if (!groups.TryGetValue(partition, out List<int>? indexes))
            {
                groups[partition] = indexes = [];
            }

            indexes.Add(i);
        }

        var positions = new RecordPosition[records.Count];
        bool duplicate = true;
        var stamp = new ProducerStamp(producerId, 0, 0);
        foreach ((int partition, List<int> indexes) in groups)
        {
            try
            {
                AppendResult result = await AppendIdempotentAsync(topic, partition, stamp, [.. indexes.Select(i => records[i])], cancellationToken).ConfigureAwait(false);
                duplicate &= result.Duplicate;
                for (int j = 0; j < indexes.Count; j++)
                {
                    positions[indexes[j]] = new RecordPosition(partition, result.BaseOffset + j);
                }
            }
            catch (LogException ex) when (ex.Kind == LogErrorKind.OutOfOrderSequence)
            {
                throw new LogException(LogErrorKind.OutOfOrderSequence, $"Idempotency-Key '{idempotencyKey}' was used before for a different request.", ex);
            }
        }

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

        TopicConfig config = await _topics.GetAsync(topic, cancellationToken).ConfigureAwait(false);
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
        foreach (Lazy<PartitionAppender> appender in _appenders.Values)
        {
            if (appender.IsValueCreated)
            {
                await appender.Value.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private int CheckSize(TopicConfig config, ProduceRecord record, int index)
    {
        int size = RecordBatchEncoder.EstimateSize(record);
        int limit = Math.Min(config.MaxRecordBytes, _options.MaxBatchBytes - RecordBatchHeader.Size - RecordBatchTrailer.Size);
        int actual = (record.Key?.Length ?? 0) + (record.Value?.Length ?? 0);
        if (actual > limit || size > _options.MaxBatchBytes - RecordBatchHeader.Size - RecordBatchTrailer.Size)
        {
            throw new LogException(LogErrorKind.RecordTooLarge, string.Create(CultureInfo.InvariantCulture, $"Record {index} is {actual} bytes; topic '{config.Name}' accepts at most {limit}."));
        }

        return size;
    }

    private PartitionAppender GetAppender(TopicPartition tp, TopicConfig config) =>
        _appenders.GetOrAdd(tp, key => new Lazy<PartitionAppender>(() =>
        {
            ILogger logger = _loggers.CreateLogger<PartitionAppender>();
            var writer = new PartitionWriter(key, _segments, _options, _time, logger);
            CompressionCodec codec = config.Compression;
            return new PartitionAppender(writer, _index, () => codec, _options, _time, logger, _listeners);
        })).Value;
}
