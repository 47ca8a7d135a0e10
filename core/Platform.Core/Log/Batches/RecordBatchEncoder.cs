using System.Buffers;
using System.Text;

namespace Platform.Core.Log.Batches;

/// <summary>Encodes records into one <see cref="EncodedBatch"/> (Kafka's record v2 layout inside our header).</summary>
public static class RecordBatchEncoder
{
    /// <summary>Upper bound of the encoded size of one record, for batching decisions.</summary>
    public static int EstimateSize(ProduceRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        int size = 5 + 1 + 10 + 5 + 5 + (record.Key?.Length ?? 0) + 5 + (record.Value?.Length ?? 0) + 5;
        foreach (RecordHeader h in record.Headers)
        {
            size += 10 + Encoding.UTF8.GetMaxByteCount(h.Key.Length) + (h.Value?.Length ?? 0);
        }

        return size;
    }

    /// <summary>Encodes <paramref name="records"/> into a batch with base offset 0; rebase before appending.</summary>
    /// <param name="records">At least one record.</param>
    /// <param name="codec">Payload compression.</param>
    /// <param name="producer">Idempotent producer fields, or <see cref="ProducerStamp.None"/>.</param>
    /// <param name="defaultTimestamp">Create time for records that have none (Unix ms).</param>
    public static EncodedBatch Encode(IReadOnlyList<ProduceRecord> records, CompressionCodec codec, ProducerStamp producer, long defaultTimestamp)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentOutOfRangeException.ThrowIfZero(records.Count);

        long first = long.MaxValue;
        long max = long.MinValue;
        foreach (ProduceRecord r in records)
        {
            long ts = r.Timestamp ?? defaultTimestamp;
            first = Math.Min(first, ts);
            max = Math.Max(max, ts);
        }

        using var payload = new PooledBufferWriter(EstimateTotal(records));
        for (int i = 0; i < records.Count; i++)
        {
            WriteRecord(payload, records[i], i, (records[i].Timestamp ?? defaultTimestamp) - first);
        }

        int uncompressedLength = payload.WrittenCount;
        using var compressed = codec == CompressionCodec.None ? null : new PooledBufferWriter(uncompressedLength / 2 + 64);
        if (compressed is not null)
        {
            BatchCompression.Compress(codec, payload.WrittenSpan, compressed);
        }

        ReadOnlySpan<byte> stored = compressed is null ? payload.WrittenSpan : compressed.WrittenSpan;
        int batchLength = RecordBatchHeader.Size + stored.Length + RecordBatchTrailer.Size;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(batchLength);
        stored.CopyTo(buffer.AsSpan(RecordBatchHeader.Size));
        var header = new RecordBatchHeader
        {
            BatchLength = batchLength,
            BaseOffset = 0,
            RecordCount = records.Count,
            FirstTimestamp = first,
            MaxTimestamp = max,
            AppendTime = 0,
            ProducerId = producer.ProducerId,
            ProducerEpoch = producer.Epoch,
            BaseSequence = producer.BaseSequence,
            Codec = codec,
            PayloadLength = stored.Length,
            UncompressedLength = uncompressedLength,
            PayloadCrc = Crc32C.Compute(stored),
        };
        var batch = new EncodedBatch(buffer, header);
        batch.Rebase(0, 0);
        return batch;
    }

    private static int EstimateTotal(IReadOnlyList<ProduceRecord> records)
    {
        long total = 0;
        foreach (ProduceRecord r in records)
        {
            total += EstimateSize(r);
        }

        return (int)Math.Min(total, 1 << 20);
    }

    private static void WriteRecord(PooledBufferWriter output, ProduceRecord record, int offsetDelta, long timestampDelta)
    {
        // Body first into a scratch region after a reserved length prefix, then move it into place.
        int bodyLength = 1 + VarInt.Size(timestampDelta) + VarInt.Size(offsetDelta)
            + BytesFieldSize(record.Key) + BytesFieldSize(record.Value) + VarInt.Size(record.Headers.Count);
        foreach (RecordHeader h in record.Headers)
        {
            int keyBytes = Encoding.UTF8.GetByteCount(h.Key);
            bodyLength += VarInt.Size(keyBytes) + keyBytes + BytesFieldSize(h.Value);
        }

        int total = VarInt.Size(bodyLength) + bodyLength;
        Span<byte> span = output.GetSpan(total);
        int p = VarInt.Write(span, bodyLength);
        span[p++] = 0; // attributes
        p += VarInt.Write(span[p..], timestampDelta);
        p += VarInt.Write(span[p..], offsetDelta);
        p += WriteBytesField(span[p..], record.Key);
        p += WriteBytesField(span[p..], record.Value);
        p += VarInt.Write(span[p..], record.Headers.Count);
        foreach (RecordHeader h in record.Headers)
        {
            int keyBytes = Encoding.UTF8.GetByteCount(h.Key);
            p += VarInt.Write(span[p..], keyBytes);
            p += Encoding.UTF8.GetBytes(h.Key, span[p..]);
            p += WriteBytesField(span[p..], h.Value);
        }

        output.Advance(p);
    }

    private static int BytesFieldSize(ReadOnlyMemory<byte>? value) =>
        value is { } v ? VarInt.Size(v.Length) + v.Length : VarInt.Size(-1);

    private static int WriteBytesField(Span<byte> destination, ReadOnlyMemory<byte>? value)
    {
        if (value is not { } v)
        {
            return VarInt.Write(destination, -1);
        }

        int p = VarInt.Write(destination, v.Length);
        v.Span.CopyTo(destination[p..]);
        return p + v.Length;
    }
}
