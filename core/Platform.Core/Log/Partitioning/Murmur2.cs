namespace Platform.Core.Log.Partitioning;

/// <summary>Kafka's murmur2 (seed 0x9747b28c), bit for bit, so keys land on the partitions Kafka would pick.</summary>
public static class Murmur2
{
    /// <summary>The 32-bit murmur2 hash of <paramref name="data"/>, as Kafka's <c>Utils.murmur2</c>.</summary>
    public static int Hash(ReadOnlySpan<byte> data)
    {
        const uint seed = 0x9747b28c;
        const uint m = 0x5bd1e995;
        const int r = 24;
        int length = data.Length;
        uint h = seed ^ (uint)length;
        int i = 0;
        for (; i + 4 <= length; i += 4)
        {
            uint k = data[i] | (uint)data[i + 1] << 8 | (uint)data[i + 2] << 16 | (uint)data[i + 3] << 24;
            k *= m;
            k ^= k >> r;
            k *= m;
            h *= m;
            h ^= k;
        }

        switch (length % 4)
        {
            case 3:
                h ^= (uint)data[i + 2] << 16;
                goto case 2;
            case 2:
                h ^= (uint)data[i + 1] << 8;
                goto case 1;
            case 1:
                h ^= data[i];
                h *= m;
                break;
        }

        h ^= h >> 13;
        h *= m;
        h ^= h >> 15;
        return (int)h;
    }

    /// <summary>Kafka's default partition for a key: <c>(murmur2(key) &amp; 0x7fffffff) % partitions</c>.</summary>
    public static int Partition(ReadOnlySpan<byte> key, int partitions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        return (Hash(key) & 0x7fffffff) % partitions;
    }
}
