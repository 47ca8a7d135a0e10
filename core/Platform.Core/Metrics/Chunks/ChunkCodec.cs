using System.Buffers.Binary;
using Platform.Promql.Series;

namespace Platform.Core.Metrics.Chunks;

/// <summary>
/// A series' samples in one time block, as bytes: version 1, the count, then per sample the time as a varint delta
/// from the previous one (the first from the block start) and the value as 8 bytes, little-endian. About 10 bytes a
/// sample at 15 s intervals.
/// </summary>
public static class ChunkCodec
{
    private const byte Version = 1;

    /// <summary>Encodes samples sorted by time, all at or after <paramref name="blockStart"/>.</summary>
    public static byte[] Encode(long blockStart, IReadOnlyList<Point> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var buffer = new byte[1 + 10 + points.Count * 18];
        var at = 0;
        buffer[at++] = Version;
        at += WriteVarint(buffer.AsSpan(at), (ulong)points.Count);
        var previous = blockStart;
        foreach (var point in points)
        {
            if (point.T < previous) throw new ArgumentException("Samples must be sorted by time and inside the block.", nameof(points));
            at += WriteVarint(buffer.AsSpan(at), (ulong)(point.T - previous));
            BinaryPrimitives.WriteInt64LittleEndian(buffer.AsSpan(at), BitConverter.DoubleToInt64Bits(point.F));
            at += 8;
            previous = point.T;
        }
        return buffer.AsSpan(0, at).ToArray();
    }

    /// <summary>Decodes a chunk; throws <see cref="FormatException"/> for bytes that are not one.</summary>
    public static List<Point> Decode(long blockStart, ReadOnlySpan<byte> data)
    {
        if (data.Length == 0) return [];
        if (data[0] != Version) throw new FormatException($"Unknown chunk version {data[0]}.");
        var at = 1;
        var count = ReadVarint(data, ref at);
        if (count > (ulong)data.Length) throw new FormatException("Chunk count exceeds its size.");
        var points = new List<Point>((int)count);
        var t = blockStart;
        for (ulong i = 0; i < count; i++)
        {
            t += (long)ReadVarint(data, ref at);
            if (at + 8 > data.Length) throw new FormatException("Chunk is truncated.");
            points.Add(new Point(t, BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64LittleEndian(data[at..]))));
            at += 8;
        }
        return points;
    }

    /// <summary>Merges new samples into existing ones by time: a sample at a time already held replaces it (so replays are idempotent).</summary>
    public static List<Point> Merge(IReadOnlyList<Point> existing, IEnumerable<Point> added)
    {
        ArgumentNullException.ThrowIfNull(existing);
        var byTime = new SortedDictionary<long, double>();
        foreach (var point in existing) byTime[point.T] = point.F;
        foreach (var point in added) byTime[point.T] = point.F;
        return byTime.Select(p => new Point(p.Key, p.Value)).ToList();
    }

    private static int WriteVarint(Span<byte> buffer, ulong value)
    {
        var n = 0;
        while (value >= 0x80)
        {
            buffer[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        buffer[n++] = (byte)value;
        return n;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (at >= data.Length) throw new FormatException("Chunk is truncated.");
            var b = data[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
        throw new FormatException("Chunk varint is too long.");
    }
}
