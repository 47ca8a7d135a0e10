namespace Platform.Core.Log.Appending;

/// <summary>A durable append: the offsets the records got.</summary>
/// <param name="BaseOffset">Offset of the first record.</param>
/// <param name="LastOffset">Offset of the last record.</param>
/// <param name="AppendTime">Append time of the batch (Unix ms).</param>
/// <param name="Duplicate">True when the batch was already in the log and nothing was appended.</param>
public readonly record struct AppendResult(long BaseOffset, long LastOffset, long AppendTime, bool Duplicate);
