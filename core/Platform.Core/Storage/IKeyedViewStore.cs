using Platform.Core.Log;

namespace Platform.Core.Storage;

/// <summary>One key's latest record in the keyed view of a compacted topic.</summary>
/// <param name="Key">The record key.</param>
/// <param name="Value">Its latest value; null when it is larger than the view holds (about 960 KB): read it from the log at the offset.</param>
/// <param name="Offset">The offset of that record.</param>
/// <param name="Timestamp">Its create time (Unix ms).</param>
/// <param name="AppendTime">Its append time (Unix ms).</param>
public sealed record KeyedEntry(byte[] Key, byte[]? Value, long Offset, long Timestamp, long AppendTime);

/// <summary>How far the view of one partition has read: the next offset to apply, and a version for conditional updates.</summary>
public sealed record KeyedViewPosition(long NextOffset, string Version);

/// <summary>
/// The keyed view's table: per partition, the latest value of each key and the offset the view has read to, changed
/// together in one transaction so that a crash never applies a record twice or skips one.
/// </summary>
public interface IKeyedViewStore
{
    /// <summary>The most changes one <see cref="ApplyAsync"/> takes (a table transaction holds 100 operations, one is the position).</summary>
    const int MaxChangesPerApply = 99;

    /// <summary>The most key and value bytes one <see cref="ApplyAsync"/> takes (a table transaction carries at most 4 MiB, values travel in base64).</summary>
    const int MaxBytesPerApply = 2 * 1024 * 1024;

    /// <summary>The longest key the view holds (a binary table property is at most 64 KiB); longer keys are left out of the view.</summary>
    const int MaxKeyBytes = 60_000;

    /// <summary>Where the view of the partition stands, or null when it was never built (or was lost).</summary>
    Task<KeyedViewPosition?> GetPositionAsync(TopicPartition partition, CancellationToken cancellationToken);

    /// <summary>
    /// Applies <paramref name="changes"/> (an entry to put, or a key with a null value to remove) and moves the position
    /// to <paramref name="nextOffset"/>, all or nothing, if the position is still <paramref name="expected"/>; null when
    /// another maintainer moved it first (nothing applied).
    /// </summary>
    Task<KeyedViewPosition?> ApplyAsync(TopicPartition partition, IReadOnlyList<(byte[] Key, KeyedEntry? Entry)> changes, long nextOffset, KeyedViewPosition? expected, CancellationToken cancellationToken);

    /// <summary>The key's entry in the partition, or null.</summary>
    Task<KeyedEntry?> GetAsync(TopicPartition partition, byte[] key, CancellationToken cancellationToken);

    /// <summary>Entries whose key starts with <paramref name="prefix"/> and sorts after <paramref name="after"/> (bytewise), in key order, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<KeyedEntry>> ListAsync(TopicPartition partition, byte[] prefix, byte[]? after, int limit, CancellationToken cancellationToken);

    /// <summary>Removes the partition's whole view, entries and position (its topic was deleted).</summary>
    Task ClearAsync(TopicPartition partition, CancellationToken cancellationToken);
}
