using System.Globalization;
using System.Text;

namespace Platform.Core.Log.Batches;

/// <summary>Checks and decodes the records of one batch.</summary>
public static class RecordBatchDecoder
{
    /// <summary>
    /// Verifies the payload CRC, decompresses, and adds the records with offset &gt;= <paramref name="minOffset"/>
    /// to <paramref name="output"/> until it holds <paramref name="maxRecords"/>. Keys and values are slices of one
    /// array per batch, not one allocation per record.
    /// </summary>
    /// <exception cref="CorruptBatchException">The batch fails its checks.</exception>
    public static void Decode(ReadOnlyMemory<byte> batch, long minOffset, int maxRecords, List<LogRecord> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        RecordBatchHeader header = RecordBatchHeader.Read(batch.Span);
        ReadOnlyMemory<byte> stored = StoredPayload(batch, header);

        if (header.IsControl)
        {
            return;
        }

        ReadOnlyMemory<byte> payload;
        if (header.Codec == CompressionCodec.None)
        {
            payload = stored.ToArray();
        }
        else
        {
            byte[] plain = new byte[header.UncompressedLength];
            BatchCompression.Decompress(header.Codec, stored, plain);
            payload = plain;
        }

        ReadOnlySpan<byte> span = payload.Span;
        var cursor = new RecordCursor(span, header);
        while (cursor.MoveNext())
        {
            int p = cursor.AfterKey;
            ReadOnlyMemory<byte>? key = cursor.KeyStart < 0 ? default(ReadOnlyMemory<byte>?) : payload.Slice(cursor.KeyStart, cursor.KeyLength);
            ReadOnlyMemory<byte>? value = ReadBytes(payload, span, ref p);
            int headerCount = checked((int)VarInt.Read(span, ref p));
            IReadOnlyList<RecordHeader> headers = headerCount == 0 ? [] : ReadHeaders(payload, span, ref p, headerCount, cursor.End);
            if (p != cursor.End)
            {
                throw new CorruptBatchException(string.Create(CultureInfo.InvariantCulture, $"Record at offset {cursor.Offset} has {cursor.End - p} unexplained bytes."));
            }

            if (cursor.Offset >= minOffset)
            {
                if (output.Count >= maxRecords)
                {
                    return;
                }

                output.Add(new LogRecord(cursor.Offset, cursor.Timestamp, header.AppendTime, key, value, headers));
            }
        }
    }

    /// <summary>The stored (possibly compressed) payload of a whole batch, after checking its length and CRC.</summary>
    /// <exception cref="CorruptBatchException">The batch is cut or its payload fails the CRC.</exception>
    internal static ReadOnlyMemory<byte> StoredPayload(ReadOnlyMemory<byte> batch, in RecordBatchHeader header)
    {
        if (batch.Length < header.BatchLength)
        {
            throw new CorruptBatchException(string.Create(CultureInfo.InvariantCulture, $"Record batch at base offset {header.BaseOffset} is cut: {batch.Length} of {header.BatchLength} bytes."));
        }

        ReadOnlyMemory<byte> stored = batch.Slice(RecordBatchHeader.Size, header.PayloadLength);
        uint crc = Crc32C.Compute(stored.Span);
        return crc == header.PayloadCrc
            ? stored
            : throw new CorruptBatchException(string.Create(CultureInfo.InvariantCulture, $"Record batch at base offset {header.BaseOffset}: payload CRC-32C mismatch (stored 0x{header.PayloadCrc:X8}, computed 0x{crc:X8})."));
    }

    private static RecordHeader[] ReadHeaders(ReadOnlyMemory<byte> payload, ReadOnlySpan<byte> span, ref int p, int count, int end)
    {
        // Each header needs at least two bytes: never trust a count beyond what the record can hold.
        if (count < 0 || count > (end - p) / 2)
        {
            throw new CorruptBatchException(string.Create(CultureInfo.InvariantCulture, $"Impossible header count {count}."));
        }

        var headers = new RecordHeader[count];
        for (int h = 0; h < count; h++)
        {
            ReadOnlyMemory<byte>? keyBytes = ReadBytes(payload, span, ref p)
                ?? throw new CorruptBatchException("A record header has a null key.");
            string key = Encoding.UTF8.GetString(keyBytes.Value.Span);
            headers[h] = new RecordHeader(key, ReadBytes(payload, span, ref p));
        }

        return headers;
    }

    private static ReadOnlyMemory<byte>? ReadBytes(ReadOnlyMemory<byte> payload, ReadOnlySpan<byte> span, ref int p)
    {
        long length = VarInt.Read(span, ref p);
        if (length < 0)
        {
            return null;
        }

        if (length > span.Length - p)
        {
            throw new CorruptBatchException("A key, value or header runs past the end of the payload.");
        }

        ReadOnlyMemory<byte> slice = payload.Slice(p, (int)length);
        p += (int)length;
        return slice;
    }
}
