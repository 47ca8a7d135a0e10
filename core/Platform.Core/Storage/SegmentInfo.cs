namespace Platform.Core.Storage;

/// <summary>What the store says about one segment blob right now.</summary>
/// <param name="BaseOffset">Offset of the segment's first record (from its name).</param>
/// <param name="Length">Committed length in bytes.</param>
/// <param name="BlockCount">Committed append blocks (the service allows 50,000).</param>
/// <param name="Limits">The seal rule written with the segment when it was created.</param>
/// <param name="Generation">Which stored version this is (0 as written; higher once compacted).</param>
public readonly record struct SegmentInfo(long BaseOffset, long Length, int BlockCount, SegmentLimits Limits, int Generation = 0)
{
    /// <summary>The version to read from.</summary>
    public SegmentRef Ref => new(BaseOffset, Generation);

    /// <summary>True once no writer may append to the segment any more, by its own rule (not any writer's options).</summary>
    public bool IsSealed => Limits.IsSealed(Length, BlockCount);
}
