using Platform.Core.Log.Batches;

namespace Platform.Core.Log.Topics;

/// <summary>A topic and its per-topic configuration.</summary>
public sealed record TopicConfig
{
    /// <summary>Default largest record (1 MiB, Kafka's max.message.bytes).</summary>
    public const int DefaultMaxRecordBytes = 1024 * 1024;

    /// <summary>The largest MaxRecordBytes a topic may have.</summary>
    public const int MaxMaxRecordBytes = 64 * 1024 * 1024;

    /// <summary>Topic name (see <see cref="TopicName"/>).</summary>
    public required string Name { get; init; }

    /// <summary>Number of partitions.</summary>
    public required int Partitions { get; init; }

    /// <summary>How long records are kept, in ms; -1 keeps them forever.</summary>
    public long RetentionMs { get; init; } = (long)TimeSpan.FromDays(7).TotalMilliseconds;

    /// <summary>Bytes kept per partition; -1 for no limit.</summary>
    public long RetentionBytes { get; init; } = -1;

    /// <summary>Delete, compact, or both.</summary>
    public CleanupPolicy CleanupPolicy { get; init; } = CleanupPolicy.Delete;

    /// <summary>
    /// A partition's active segment is sealed once its first record is this old, in ms, even below its size limit
    /// (Kafka's segment.ms), so that retention and compaction can reach records of quiet partitions; -1 for never.
    /// </summary>
    public long SegmentMs { get; init; } = (long)TimeSpan.FromDays(7).TotalMilliseconds;

    /// <summary>Compaction leaves records younger than this alone, in ms (Kafka's min.compaction.lag.ms).</summary>
    public long MinCompactionLagMs { get; init; }

    /// <summary>A record is compacted within about this long even below the dirty ratio, in ms; -1 for no bound (max.compaction.lag.ms).</summary>
    public long MaxCompactionLagMs { get; init; } = -1;

    /// <summary>How long a tombstone (null value) stays readable once it is the key's last record, in ms (delete.retention.ms).</summary>
    public long DeleteRetentionMs { get; init; } = (long)TimeSpan.FromDays(1).TotalMilliseconds;

    /// <summary>Compaction runs once this share of the compactable bytes was never compacted (min.cleanable.dirty.ratio).</summary>
    public double MinCleanableDirtyRatio { get; init; } = 0.5;

    /// <summary>True when compaction applies (compact or compact,delete).</summary>
    public bool IsCompacted => CleanupPolicy is CleanupPolicy.Compact or CleanupPolicy.CompactAndDelete;

    /// <summary>Codec the platform's own appenders use for this topic.</summary>
    public CompressionCodec Compression { get; init; } = CompressionCodec.None;

    /// <summary>Largest accepted record (key + value + headers), bytes.</summary>
    public int MaxRecordBytes { get; init; } = DefaultMaxRecordBytes;

    /// <summary>
    /// The storage account of each partition's segments (labels of <c>Platform:Storage:SegmentAccounts</c>, empty for the
    /// main account), fixed at creation; null when everything is in the main account.
    /// </summary>
    public IReadOnlyList<string>? SegmentAccounts { get; init; }

    /// <summary>The account label of one partition's segments.</summary>
    public string SegmentAccountOf(int partition) => SegmentAccounts is { } a && partition < a.Count ? a[partition] : TopicPlacement.Primary;

    /// <summary>When the topic was created (Unix ms).</summary>
    public long CreatedAt { get; init; }

    /// <summary>
    /// When the topic was deleted (Unix ms); 0 while it is live. A deleted topic is gone for clients at once; its data is
    /// removed after a grace period, and only then may the name be used again.
    /// </summary>
    public long DeletedAt { get; init; }

    /// <summary>The stored row's version (an ETag in Azure) for conditional changes; null for a topic not read from the store.</summary>
    public string? Version { get; init; }
}
