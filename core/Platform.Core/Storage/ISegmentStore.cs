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

    /// <summary>Every stored generation of every segment of a partition, by base offset then generation.</summary>
    Task<IReadOnlyList<SegmentRef>> ListGenerationsAsync(TopicPartition partition, CancellationToken cancellationToken);

    /// <summary>
    /// Length, block count, seal rule and generation of a segment, or null if it does not exist. While compaction has
    /// two generations side by side, either may be answered: each is complete, and reads name the one answered.
    /// </summary>
    Task<SegmentInfo?> GetSegmentAsync(TopicPartition partition, long baseOffset, CancellationToken cancellationToken);

    /// <summary>Length, block count and seal rule of one generation of a segment, or null if it does not exist.</summary>
    Task<SegmentInfo?> GetGenerationAsync(TopicPartition partition, SegmentRef segment, CancellationToken cancellationToken);

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
    /// Reads up to <paramref name="destination"/>.Length bytes of one generation of a segment from
    /// <paramref name="position"/>; returns how many were read (0 at the end). Throws
    /// <see cref="SegmentMissingException"/> when that generation does not exist (any more).
    /// </summary>
    Task<int> ReadAsync(TopicPartition partition, SegmentRef segment, long position, Memory<byte> destination, CancellationToken cancellationToken);

    /// <summary>
    /// What a writer that lost a race needs in one look: the segment's length, block count, seal rule and generation
    /// (null when it does not exist), and up to <paramref name="destination"/>.Length bytes of generation 0 from
    /// <paramref name="position"/> (none when the segment is compacted or not longer than that). In Azure one ranged
    /// read answers both; by default it is a look and a read.
    /// </summary>
    async Task<(SegmentInfo? Info, int Read)> ReadFromAsync(TopicPartition partition, long baseOffset, long position, Memory<byte> destination, CancellationToken cancellationToken)
    {
        SegmentInfo? info = await GetSegmentAsync(partition, baseOffset, cancellationToken).ConfigureAwait(false);
        if (info is not { Generation: 0 } s || s.Length <= position)
        {
            return (info, 0);
        }

        int wanted = (int)Math.Min(destination.Length, s.Length - position);
        int read = await ReadAsync(partition, s.Ref, position, destination[..wanted], cancellationToken).ConfigureAwait(false);
        return (info, read);
    }

    /// <summary>Deletes a segment, every generation of it (retention); false if it was already gone.</summary>
    Task<bool> DeleteSegmentAsync(TopicPartition partition, long baseOffset, CancellationToken cancellationToken);

    /// <summary>
    /// Starts writing a new generation of a sealed segment (compaction). Nothing of it is visible until the upload
    /// is committed, and then all of it at once.
    /// </summary>
    ISegmentUpload BeginRewrite(TopicPartition partition, SegmentRef segment);

    /// <summary>Deletes one generation of a segment; false if it was already gone.</summary>
    Task<bool> DeleteGenerationAsync(TopicPartition partition, SegmentRef segment, CancellationToken cancellationToken);
}
