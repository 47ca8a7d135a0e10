namespace Platform.Core.Storage;

/// <summary>Where one batch lives: the unit of the offset and time indexes.</summary>
/// <param name="BaseOffset">First offset in the batch.</param>
/// <param name="LastOffset">Last offset in the batch (the index's RowKey).</param>
/// <param name="SegmentBaseOffset">The segment that holds it.</param>
/// <param name="Position">Byte position of the batch in the segment.</param>
/// <param name="Length">Batch length in bytes.</param>
/// <param name="AppendTime">Append time (Unix ms).</param>
/// <param name="Generation">The segment generation the position is in (a position means nothing in another one).</param>
public sealed record BatchIndexEntry(long BaseOffset, long LastOffset, long SegmentBaseOffset, long Position, int Length, long AppendTime, int Generation = 0)
{
    /// <summary>The segment version the position is in.</summary>
    public SegmentRef Segment => new(SegmentBaseOffset, Generation);
}
