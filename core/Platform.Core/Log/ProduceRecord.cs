namespace Platform.Core.Log;

/// <summary>A record as a producer hands it to the log, before it has an offset.</summary>
public sealed record ProduceRecord
{
    /// <summary>The key; null for a keyless record (spread with sticky partitioning).</summary>
    public ReadOnlyMemory<byte>? Key { get; init; }

    /// <summary>The value; null is a tombstone on compacted topics.</summary>
    public ReadOnlyMemory<byte>? Value { get; init; }

    /// <summary>Headers, in order; keys may repeat.</summary>
    public IReadOnlyList<RecordHeader> Headers { get; init; } = [];

    /// <summary>Create time in Unix milliseconds; null takes the append time.</summary>
    public long? Timestamp { get; init; }

    /// <summary>An explicit partition; null lets the partitioner choose.</summary>
    public int? Partition { get; init; }

    /// <summary>What counts toward a topic's record limit: key, value and headers (names and values), as Kafka counts them.</summary>
    public int CountedBytes()
    {
        long bytes = (Key?.Length ?? 0) + (Value?.Length ?? 0);
        foreach (RecordHeader h in Headers)
        {
            bytes += System.Text.Encoding.UTF8.GetByteCount(h.Key) + (h.Value?.Length ?? 0);
        }

        return (int)Math.Min(int.MaxValue, bytes);
    }
}
