namespace Platform.Core.Storage;

/// <summary>What the store says about one segment blob right now.</summary>
/// <param name="BaseOffset">Offset of the segment's first record (from its name).</param>
/// <param name="Length">Committed length in bytes.</param>
/// <param name="BlockCount">Committed append blocks (the service allows 50,000).</param>
public readonly record struct SegmentInfo(long BaseOffset, long Length, int BlockCount);
