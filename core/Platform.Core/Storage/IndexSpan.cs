namespace Platform.Core.Storage;

/// <summary>The batches of a range of offsets, and the append times they were written between (both ends included).</summary>
/// <param name="FromOffset">First offset of the range.</param>
/// <param name="ToOffset">Offset after the range.</param>
/// <param name="FromTime">Append time of the range's first batch.</param>
/// <param name="ToTime">Append time of its last batch.</param>
public readonly record struct IndexSpan(long FromOffset, long ToOffset, long FromTime, long ToTime);
