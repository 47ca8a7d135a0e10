using System.Security.Cryptography;

namespace Platform.Core.Log.Compaction;

/// <summary>
/// The last offset of each key in the part of the log being compacted (Kafka's cleaner offset map): keys are held as
/// 128-bit digests (SHA-256, truncated), so memory is bounded by the key count, not the key sizes. Two keys share a
/// digest with a probability of about n²/2¹²⁹ — nil at any key count a partition can hold.
/// </summary>
internal sealed class KeyOffsetMap
{
    private readonly Dictionary<UInt128, long> _last = [];

    public int Count => _last.Count;

    public void Put(ReadOnlySpan<byte> key, long offset) => _last[Digest(key)] = offset;

    /// <summary>The last offset recorded for the key, or -1.</summary>
    public long LastOffsetOf(ReadOnlySpan<byte> key) => _last.TryGetValue(Digest(key), out long offset) ? offset : -1;

    private static UInt128 Digest(ReadOnlySpan<byte> key)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(key, hash);
        return new UInt128(BitConverter.ToUInt64(hash), BitConverter.ToUInt64(hash[8..]));
    }
}
