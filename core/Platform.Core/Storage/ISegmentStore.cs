using Platform.Core.Log;

namespace Platform.Core.Storage;

/// <summary>
/// The segment blobs of every partition: append blobs in Azure, arrays in memory. Every append is
/// conditional on the append position and a maximum size, which is what makes offsets safe
/// without any lock service.
/// </summary>
public interface ISegmentStore
{
    /// <summary>Base offsets of a partition's segments, ascending.</summary>
    Task<IReadOnlyList<long>> ListSegmentsAsync(TopicPartition partition, CancellationToken cancellationToken);

    /// <summary>Length, block count and seal rule of a segment, or null if it does not exist.</summary>
    Task<SegmentInfo?> GetSegmentAsync(TopicPartition partition, long baseOffset, CancellationToken cancellationToken);

    /// <summary>
    /// Creates an empty segment that carries its seal rule (<paramref name="limits"/>); false when it already exists
    /// (another writer rolled first, and its limits are the ones that hold).
    /// </summary>
    Task<bool> CreateSegmentAsync(TopicPartition partition, long baseOffset, SegmentLimits limits, CancellationToken cancellationToken);

    /// <summary>
    /// Appends <paramref name="data"/> as one block if the segment is exactly <paramref name="expectedPosition"/>
    /// bytes long and would stay within <paramref name="maxSize"/>. Throws only when the outcome is unknown
    /// (time-out, connection lost, server error): the block may or may not be there.
    /// </summary>
    Task<AppendOutcome> AppendAsync(TopicPartition partition, long baseOffset, ReadOnlyMemory<byte> data, long expectedPosition, long maxSize, CancellationToken cancellationToken);

    /// <summary>
    /// Reads up to <paramref name="destination"/>.Length bytes from <paramref name="position"/>; returns how many were
    /// read (0 at the end). Throws <see cref="SegmentMissingException"/> when the segment does not exist.
    /// </summary>
    Task<int> ReadAsync(TopicPartition partition, long baseOffset, long position, Memory<byte> destination, CancellationToken cancellationToken);

    /// <summary>Deletes a segment (retention); false if it was already gone.</summary>
    Task<bool> DeleteSegmentAsync(TopicPartition partition, long baseOffset, CancellationToken cancellationToken);
}
