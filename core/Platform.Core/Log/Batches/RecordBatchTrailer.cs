using System.Buffers.Binary;
using System.Globalization;

namespace Platform.Core.Log.Batches;

/// <summary>
/// The fixed 24-byte trailer at the end of every batch. It repeats base offset, record count and
/// batch length so that a segment can be walked backwards from its end without any index.
/// </summary>
public readonly record struct RecordBatchTrailer(long BaseOffset, int RecordCount, int BatchLength)
{
    /// <summary>Size of the trailer in bytes.</summary>
    public const int Size = 24;

    /// <summary>"PLRT": the last four bytes of every batch.</summary>
    public const uint Magic = 0x54524C50;

    /// <summary>Offset after the last record of the batch.</summary>
    public long NextOffset => BaseOffset + RecordCount;

    /// <summary>Writes the trailer into the first 24 bytes of <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        Span<byte> t = destination[..Size];
        BinaryPrimitives.WriteInt64LittleEndian(t, BaseOffset);
        BinaryPrimitives.WriteInt32LittleEndian(t[8..], RecordCount);
        BinaryPrimitives.WriteInt32LittleEndian(t[12..], BatchLength);
        BinaryPrimitives.WriteUInt32LittleEndian(t[16..], Crc32C.Compute(t[..16]));
        BinaryPrimitives.WriteUInt32LittleEndian(t[20..], Magic);
    }

    /// <summary>Reads and checks a trailer (magic, CRC, plausible length).</summary>
    /// <exception cref="CorruptBatchException">The bytes are not a valid trailer.</exception>
    public static RecordBatchTrailer Read(ReadOnlySpan<byte> source)
    {
        if (source.Length < Size)
        {
            throw new CorruptBatchException(string.Create(CultureInfo.InvariantCulture, $"A record batch trailer needs {Size} bytes; only {source.Length} are there."));
        }

        ReadOnlySpan<byte> t = source[..Size];
        if (BinaryPrimitives.ReadUInt32LittleEndian(t[20..]) != Magic)
        {
            throw new CorruptBatchException("Not a record batch trailer: bad magic. The segment may be cut or not a segment.");
        }

        uint expected = BinaryPrimitives.ReadUInt32LittleEndian(t[16..]);
        if (expected != Crc32C.Compute(t[..16]))
        {
            throw new CorruptBatchException("Record batch trailer CRC-32C mismatch.");
        }

        var trailer = new RecordBatchTrailer(
            BinaryPrimitives.ReadInt64LittleEndian(t),
            BinaryPrimitives.ReadInt32LittleEndian(t[8..]),
            BinaryPrimitives.ReadInt32LittleEndian(t[12..]));
        if (trailer.BatchLength < RecordBatchHeader.Size + Size || trailer.RecordCount < 0 || trailer.BaseOffset < 0)
        {
            throw new CorruptBatchException(string.Create(CultureInfo.InvariantCulture, $"Record batch trailer has an impossible length {trailer.BatchLength}."));
        }

        return trailer;
    }
}
