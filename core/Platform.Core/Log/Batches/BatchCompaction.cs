using System.Buffers;

namespace Platform.Core.Log.Batches;

/// <summary>Sees one record of a batch: its offset, key (empty when <paramref name="hasKey"/> is false) and whether its value is null.</summary>
internal delegate void RecordVisitor(long offset, ReadOnlySpan<byte> key, bool hasKey, bool tombstone);

/// <summary>Says whether compaction keeps a record.</summary>
internal delegate bool RecordFilter(long offset, ReadOnlySpan<byte> key, bool hasKey, bool tombstone);

/// <summary>What rewriting one batch did.</summary>
internal readonly record struct BatchRewrite(int Kept, int Removed, int BytesWritten);

/// <summary>
/// Compaction of single batches: the records kept are copied byte for byte (their offset and timestamp deltas stay
/// right, since base offset and first timestamp do not change) into a batch with the same header fields, flagged
/// compacted, and its record count still the span of offsets it covers, so every reader's offset arithmetic holds.
/// </summary>
internal static class BatchCompaction
{
    /// <summary>Hands every record of a whole batch to <paramref name="visit"/>, after checking its payload CRC.</summary>
    public static void Visit(ReadOnlyMemory<byte> batch, RecordVisitor visit)
    {
        RecordBatchHeader header = RecordBatchHeader.Read(batch.Span);
        if (header.IsControl)
        {
            return;
        }

        byte[]? rented = null;
        try
        {
            ReadOnlySpan<byte> payload = Payload(batch, header, ref rented);
            var cursor = new RecordCursor(payload, header);
            while (cursor.MoveNext())
            {
                visit(cursor.Offset, cursor.Key, cursor.KeyStart >= 0, cursor.ValueLength < 0);
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Writes the batch with only the records <paramref name="keep"/> accepts into <paramref name="output"/>: the
    /// original bytes when it keeps them all, nothing when it keeps none (unless <paramref name="keepEmpty"/>: then a
    /// batch with no records that still covers its offsets), otherwise a compacted batch.
    /// </summary>
    public static BatchRewrite Rewrite(ReadOnlyMemory<byte> batch, RecordFilter keep, bool keepEmpty, PooledBufferWriter output)
    {
        RecordBatchHeader header = RecordBatchHeader.Read(batch.Span);
        batch = batch[..header.BatchLength];
        if (header.IsControl)
        {
            output.Write(batch.Span);
            return new BatchRewrite(0, 0, batch.Length);
        }

        byte[]? rented = null;
        try
        {
            ReadOnlySpan<byte> payload = Payload(batch, header, ref rented);
            using var kept = new PooledBufferWriter(payload.Length);
            int keptCount = 0, removed = 0;
            var cursor = new RecordCursor(payload, header);
            while (cursor.MoveNext())
            {
                if (keep(cursor.Offset, cursor.Key, cursor.KeyStart >= 0, cursor.ValueLength < 0))
                {
                    kept.Write(payload[cursor.Start..cursor.End]);
                    keptCount++;
                }
                else
                {
                    removed++;
                }
            }

            if (removed == 0)
            {
                output.Write(batch.Span);
                return new BatchRewrite(keptCount, 0, batch.Length);
            }

            if (keptCount == 0 && !keepEmpty)
            {
                return new BatchRewrite(0, removed, 0);
            }

            return new BatchRewrite(keptCount, removed, WriteCompacted(header, kept.WrittenSpan, output));
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static int WriteCompacted(in RecordBatchHeader original, ReadOnlySpan<byte> records, PooledBufferWriter output)
    {
        using var compressed = original.Codec == CompressionCodec.None ? null : new PooledBufferWriter(records.Length / 2 + 64);
        if (compressed is not null)
        {
            BatchCompression.Compress(original.Codec, records, compressed);
        }

        ReadOnlySpan<byte> stored = compressed is null ? records : compressed.WrittenSpan;
        int length = RecordBatchHeader.Size + stored.Length + RecordBatchTrailer.Size;
        RecordBatchHeader header = original with
        {
            IsCompacted = true,
            BatchLength = length,
            PayloadLength = stored.Length,
            UncompressedLength = records.Length,
            PayloadCrc = Crc32C.Compute(stored),
        };
        Span<byte> span = output.GetSpan(length)[..length];
        header.Write(span);
        stored.CopyTo(span[RecordBatchHeader.Size..]);
        new RecordBatchTrailer(header.BaseOffset, header.RecordCount, length).Write(span[(RecordBatchHeader.Size + stored.Length)..]);
        output.Advance(length);
        return length;
    }

    /// <summary>The batch's records, decompressed when they are stored compressed (into a rented array).</summary>
    private static ReadOnlySpan<byte> Payload(ReadOnlyMemory<byte> batch, in RecordBatchHeader header, ref byte[]? rented)
    {
        ReadOnlyMemory<byte> stored = RecordBatchDecoder.StoredPayload(batch, header);

        if (header.Codec == CompressionCodec.None)
        {
            return stored.Span;
        }

        rented = ArrayPool<byte>.Shared.Rent(header.UncompressedLength);
        BatchCompression.Decompress(header.Codec, stored, rented.AsSpan(0, header.UncompressedLength));
        return rented.AsSpan(0, header.UncompressedLength);
    }
}
