namespace Platform.Core.Log.Reading;

/// <summary>Records read from one partition.</summary>
/// <param name="Records">The records, in offset order.</param>
/// <param name="NextOffset">The offset to fetch next.</param>
/// <param name="LogEndOffset">The partition's end (the offset the next appended record will get) when read.</param>
public sealed record FetchResult(IReadOnlyList<LogRecord> Records, long NextOffset, long LogEndOffset);

/// <summary>A partition's first offset still kept and its end offset.</summary>
public readonly record struct PartitionOffsets(long Earliest, long Latest)
{
    /// <summary>Records a reader at <paramref name="next"/> (the earliest when null; a reader below it starts there) has yet to read.</summary>
    public long LagFrom(long? next) => Math.Max(0, Latest - Math.Max(next ?? Earliest, Earliest));
}
