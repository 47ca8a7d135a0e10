using Platform.Core.Log.Batches;
using Platform.Core.Storage;

namespace Platform.Core.Log;

/// <summary>A batch header and where the batch sits (in which generation of its segment).</summary>
public readonly record struct BatchLocation(RecordBatchHeader Header, long SegmentBaseOffset, long Position, int Generation = 0)
{
    /// <summary>The segment version the position is in.</summary>
    public SegmentRef Segment => new(SegmentBaseOffset, Generation);

    /// <summary>The index entry that points at this batch.</summary>
    public BatchIndexEntry ToIndexEntry() =>
        new(Header.BaseOffset, Header.LastOffset, SegmentBaseOffset, Position, Header.BatchLength, Header.AppendTime, Generation);
}
