using Platform.Core.Log;

namespace Platform.Core.Storage;

/// <summary>
/// The offset and time indexes of the log. Written after the append and allowed to lag: a reader
/// that finds nothing falls back to the segment tail, and the index can be rebuilt from the blobs.
/// </summary>
public interface IOffsetIndex
{
    /// <summary>Adds (or replaces) entries of one partition.</summary>
    Task AddAsync(TopicPartition partition, IReadOnlyList<BatchIndexEntry> entries, CancellationToken cancellationToken);

    /// <summary>The first batch whose last offset is &gt;= <paramref name="offset"/>, or null.</summary>
    Task<BatchIndexEntry?> FindByOffsetAsync(TopicPartition partition, long offset, CancellationToken cancellationToken);

    /// <summary>The first batch whose append time is &gt;= <paramref name="appendTime"/>, or null.</summary>
    Task<BatchIndexEntry?> FindByTimeAsync(TopicPartition partition, long appendTime, CancellationToken cancellationToken);

    /// <summary>
    /// Puts <paramref name="entries"/> in place of every entry of the batches in <paramref name="span"/> (a segment that
    /// compaction rewrote): the new ones first, then the old ones that the new ones did not overwrite.
    /// </summary>
    Task ReplaceAsync(TopicPartition partition, IndexSpan span, IReadOnlyList<BatchIndexEntry> entries, CancellationToken cancellationToken);

    /// <summary>Removes the entries of batches wholly before <paramref name="offset"/> (their segments were deleted by retention).</summary>
    Task DeleteBeforeAsync(TopicPartition partition, long offset, CancellationToken cancellationToken);

    /// <summary>Removes every entry of the partition from both indexes (its topic was deleted).</summary>
    Task ClearAsync(TopicPartition partition, CancellationToken cancellationToken);
}
