using System.Buffers.Binary;
using System.Globalization;

namespace Platform.Core.Log.Batches;

/// <summary>
/// The fixed 80-byte header at the start of every record batch (format version 1, little-endian).
/// The layout is documented in docs/record-batch-format.md and pinned by a golden-file test.
/// </summary>
public readonly record struct RecordBatchHeader
{
    /// <summary>Size of the header in bytes.</summary>
    public const int Size = 80;

    /// <summary>"PLRB": the first four bytes of every batch.</summary>
    public const uint Magic = 0x42524C50;

    /// <summary>The only format version written so far.</summary>
    public const byte CurrentVersion = 1;

    /// <summary>Flag bit: a control batch (no user records), such as a segment seal.</summary>
    public const byte ControlFlag = 0x10;

    /// <summary>
    /// Flag bit: a batch rewritten by compaction. Its record count is then the span of offsets it covers (so that
    /// base offset, last offset and next offset keep their meaning); the payload holds only the records kept, each with
    /// its own offset delta, strictly increasing, possibly none.
    /// </summary>
    public const byte CompactedFlag = 0x20;

    /// <summary>Whole batch length: header, payload and trailer.</summary>
    public int BatchLength { get; init; }

    /// <summary>Offset of the first record.</summary>
    public long BaseOffset { get; init; }

    /// <summary>Number of records; for a compacted batch, the span of offsets it covers.</summary>
    public int RecordCount { get; init; }

    /// <summary>Smallest record create time (Unix ms).</summary>
    public long FirstTimestamp { get; init; }

    /// <summary>Largest record create time (Unix ms).</summary>
    public long MaxTimestamp { get; init; }

    /// <summary>Log append time (Unix ms); never decreases along a partition.</summary>
    public long AppendTime { get; init; }

    /// <summary>Idempotent producer id, or -1.</summary>
    public long ProducerId { get; init; }

    /// <summary>Producer epoch, or -1.</summary>
    public short ProducerEpoch { get; init; }

    /// <summary>Sequence number of the first record for this producer and partition, or -1.</summary>
    public int BaseSequence { get; init; }

    /// <summary>Codec of the payload.</summary>
    public CompressionCodec Codec { get; init; }

    /// <summary>True for a control batch.</summary>
    public bool IsControl { get; init; }

    /// <summary>True for a batch rewritten by compaction (offsets may have gaps; see <see cref="CompactedFlag"/>).</summary>
    public bool IsCompacted { get; init; }

    /// <summary>Stored (possibly compressed) payload length.</summary>
    public int PayloadLength { get; init; }

    /// <summary>Payload length after decompression.</summary>
    public int UncompressedLength { get; init; }

    /// <summary>CRC-32C of the stored payload.</summary>
    public uint PayloadCrc { get; init; }

    /// <summary>Offset of the last record.</summary>
    public long LastOffset => BaseOffset + RecordCount - 1;

    /// <summary>Offset after the last record.</summary>
    public long NextOffset => BaseOffset + RecordCount;

    /// <summary>Sequence number of the last record.</summary>
    public int LastSequence => BaseSequence < 0 ? -1 : BaseSequence + RecordCount - 1;

    /// <summary>Writes the header, with its own CRC, into the first 80 bytes of <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        Span<byte> h = destination[..Size];
        BinaryPrimitives.WriteUInt32LittleEndian(h, Magic);
        h[4] = CurrentVersion;
        h[5] = (byte)((byte)Codec | (IsControl ? ControlFlag : 0) | (IsCompacted ? CompactedFlag : 0));
        h[6] = 0;
        h[7] = 0;
        BinaryPrimitives.WriteInt32LittleEndian(h[8..], BatchLength);
        BinaryPrimitives.WriteInt64LittleEndian(h[12..], BaseOffset);
        BinaryPrimitives.WriteInt32LittleEndian(h[20..], RecordCount);
        BinaryPrimitives.WriteInt64LittleEndian(h[24..], FirstTimestamp);
        BinaryPrimitives.WriteInt64LittleEndian(h[32..], MaxTimestamp);
        BinaryPrimitives.WriteInt64LittleEndian(h[40..], AppendTime);
        BinaryPrimitives.WriteInt64LittleEndian(h[48..], ProducerId);
        BinaryPrimitives.WriteInt16LittleEndian(h[56..], ProducerEpoch);
        BinaryPrimitives.WriteInt32LittleEndian(h[58..], BaseSequence);
        BinaryPrimitives.WriteInt32LittleEndian(h[62..], PayloadLength);
        BinaryPrimitives.WriteInt32LittleEndian(h[66..], UncompressedLength);
        BinaryPrimitives.WriteUInt32LittleEndian(h[70..], PayloadCrc);
        h[74] = 0;
        h[75] = 0;
        BinaryPrimitives.WriteUInt32LittleEndian(h[76..], Crc32C.Compute(h[..76]));
    }

    /// <summary>Reads and checks a header: magic, version, header CRC and lengths.</summary>
    /// <exception cref="CorruptBatchException">The bytes are not a valid header.</exception>
    public static RecordBatchHeader Read(ReadOnlySpan<byte> source)
    {
        if (source.Length < Size)
        {
            throw new CorruptBatchException(string.Create(CultureInfo.InvariantCulture, $"A record batch header needs {Size} bytes; only {source.Length} are there."));
        }

        ReadOnlySpan<byte> h = source[..Size];
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(h);
        if (magic != Magic)
        {
            throw new CorruptBatchException(string.Create(CultureInfo.InvariantCulture, $"Not a record batch: magic 0x{magic:X8}, expected 0x{Magic:X8}."));
        }

        if (h[4] != CurrentVersion)
        {
            throw new CorruptBatchException(string.Create(CultureInfo.InvariantCulture, $"Record batch format version {h[4]} is not supported (this build reads version {CurrentVersion})."));
        }

        uint expectedCrc = BinaryPrimitives.ReadUInt32LittleEndian(h[76..]);
        uint actualCrc = Crc32C.Compute(h[..76]);
        if (expectedCrc != actualCrc)
        {
            throw new CorruptBatchException(string.Create(CultureInfo.InvariantCulture, $"Record batch header CRC-32C mismatch: stored 0x{expectedCrc:X8}, computed 0x{actualCrc:X8}."));
        }

        var header = new RecordBatchHeader
        {
            Codec = (CompressionCodec)(h[5] & 0x07),
            IsControl = (h[5] & ControlFlag) != 0,
            IsCompacted = (h[5] & CompactedFlag) != 0,
            BatchLength = BinaryPrimitives.ReadInt32LittleEndian(h[8..]),
            BaseOffset = BinaryPrimitives.ReadInt64LittleEndian(h[12..]),
            RecordCount = BinaryPrimitives.ReadInt32LittleEndian(h[20..]),
            FirstTimestamp = BinaryPrimitives.ReadInt64LittleEndian(h[24..]),
            MaxTimestamp = BinaryPrimitives.ReadInt64LittleEndian(h[32..]),
            AppendTime = BinaryPrimitives.ReadInt64LittleEndian(h[40..]),
            ProducerId = BinaryPrimitives.ReadInt64LittleEndian(h[48..]),
            ProducerEpoch = BinaryPrimitives.ReadInt16LittleEndian(h[56..]),
            BaseSequence = BinaryPrimitives.ReadInt32LittleEndian(h[58..]),
            PayloadLength = BinaryPrimitives.ReadInt32LittleEndian(h[62..]),
            UncompressedLength = BinaryPrimitives.ReadInt32LittleEndian(h[66..]),
            PayloadCrc = BinaryPrimitives.ReadUInt32LittleEndian(h[70..]),
        };

        if (header.PayloadLength < 0 || header.RecordCount < 0 || header.UncompressedLength < 0
            || header.BatchLength != Size + header.PayloadLength + RecordBatchTrailer.Size
            || header.Codec > CompressionCodec.Zstd)
        {
            throw new CorruptBatchException(string.Create(CultureInfo.InvariantCulture, $"Record batch at base offset {header.BaseOffset} has inconsistent lengths or codec (batch {header.BatchLength}, payload {header.PayloadLength}, codec {(int)header.Codec})."));
        }

        return header;
    }
}
