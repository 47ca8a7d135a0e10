namespace Platform.Core.Log;

/// <summary>A record read back from the log, with its offset.</summary>
public sealed record LogRecord(
    long Offset,
    long Timestamp,
    long AppendTime,
    ReadOnlyMemory<byte>? Key,
    ReadOnlyMemory<byte>? Value,
    IReadOnlyList<RecordHeader> Headers);
