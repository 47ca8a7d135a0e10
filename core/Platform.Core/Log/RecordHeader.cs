namespace Platform.Core.Log;

/// <summary>A record header: a string key and an optional byte value, as in Kafka.</summary>
public readonly record struct RecordHeader(string Key, ReadOnlyMemory<byte>? Value);
