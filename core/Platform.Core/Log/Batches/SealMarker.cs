namespace Platform.Core.Log.Batches;

/// <summary>
/// The control batch that seals a segment before its size limit (a roll by age): no records, its base offset the
/// segment's end, appended like any batch with the append-position condition, so it lands only at the true end. Every
/// writer that reads it (catching up after losing the race to it, or loading the tail) treats the segment as sealed
/// and rolls to the next one, whose base offset is the marker's.
/// </summary>
public static class SealMarker
{
    /// <summary>Length of a seal marker: a header and a trailer.</summary>
    public const int Length = RecordBatchHeader.Size + RecordBatchTrailer.Size;

    /// <summary>True for a batch that seals its segment.</summary>
    public static bool Is(in RecordBatchHeader header) => header.IsControl && header.RecordCount == 0;

    /// <summary>A seal marker at <paramref name="endOffset"/>, stamped with the last batch's append time (times never go back).</summary>
    public static byte[] Create(long endOffset, long appendTime)
    {
        byte[] bytes = new byte[Length];
        var header = new RecordBatchHeader
        {
            BatchLength = Length,
            BaseOffset = endOffset,
            RecordCount = 0,
            FirstTimestamp = appendTime,
            MaxTimestamp = appendTime,
            AppendTime = appendTime,
            ProducerId = -1,
            ProducerEpoch = -1,
            BaseSequence = -1,
            IsControl = true,
            PayloadCrc = Crc32C.Compute([]),
        };
        header.Write(bytes);
        new RecordBatchTrailer(endOffset, 0, Length).Write(bytes.AsSpan(RecordBatchHeader.Size));
        return bytes;
    }
}
