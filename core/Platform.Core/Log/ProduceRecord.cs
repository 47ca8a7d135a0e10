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

    /// <summary>
    /// Bytes as a key or value, null staying null. Assigning a <c>byte[]?</c> straight to <see cref="Key"/> would not:
    /// C# applies the array-to-memory conversion to null too, so a null array becomes an empty key (every "keyless" record then hashes
    /// to one partition) and a null value an empty one (no tombstone).
    /// </summary>
    public static ReadOnlyMemory<byte>? Bytes(byte[]? bytes)
    {
        // Not a conditional expression: `bytes is null ? null : memory` converts the null through byte[] as well.
        if (bytes is null)
        {
            return null;
        }

        return new ReadOnlyMemory<byte>(bytes);
    }

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
