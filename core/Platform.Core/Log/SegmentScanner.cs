using System.Buffers;
using System.Globalization;
using Platform.Core.Log.Batches;
using Platform.Core.Storage;

namespace Platform.Core.Log;

/// <summary>
/// Walks batch headers in a segment without any index: forwards from a known batch boundary, or
/// backwards from the end through the trailers.
/// </summary>
internal static class SegmentScanner
{
    private const int ChunkBytes = 1024 * 1024;

    /// <summary>Headers of the batches in [<paramref name="from"/>, <paramref name="to"/>), in order.</summary>
    public static async Task<List<BatchLocation>> ScanForwardAsync(ISegmentStore store, TopicPartition tp, SegmentRef segment, long from, long to, CancellationToken cancellationToken)
    {
        var result = new List<BatchLocation>();
        await ScanForwardAsync(store, tp, segment, from, to, result.Add, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Hands each batch header in [<paramref name="from"/>, <paramref name="to"/>) to <paramref name="visit"/>, in order, as its chunk is read.</summary>
    public static Task ScanForwardAsync(ISegmentStore store, TopicPartition tp, SegmentRef segment, long from, long to, Action<BatchLocation> visit, CancellationToken cancellationToken) =>
        ForEachBatchAsync(store, tp, segment, from, to, (batch, _) =>
        {
            visit(batch);
            return ValueTask.CompletedTask;
        }, cancellationToken);

    /// <summary>
    /// Hands each whole batch at the start of <paramref name="bytes"/> (read from <paramref name="position"/>, a batch
    /// boundary) to <paramref name="visit"/>, in order; returns how many bytes they take.
    /// </summary>
    public static int VisitWholeBatches(ReadOnlySpan<byte> bytes, TopicPartition tp, SegmentRef segment, long position, Action<BatchLocation> visit)
    {
        int local = 0;
        while (bytes.Length - local >= RecordBatchHeader.Size)
        {
            RecordBatchHeader header = ReadHeader(bytes[local..], tp, segment, position + local);
            if (header.BatchLength > bytes.Length - local)
            {
                break;
            }

            visit(new BatchLocation(header, segment.BaseOffset, position + local, segment.Generation));
            local += header.BatchLength;
        }

        return local;
    }

    /// <summary>
    /// Hands each whole batch in [<paramref name="from"/>, <paramref name="to"/>) to <paramref name="visit"/>, in order,
    /// with its bytes (valid only during the call).
    /// </summary>
    public static async Task ForEachBatchAsync(ISegmentStore store, TopicPartition tp, SegmentRef segment, long from, long to, Func<BatchLocation, ReadOnlyMemory<byte>, ValueTask> visit, CancellationToken cancellationToken)
    {
        long position = from;
        int chunkSize = ChunkBytes;
        while (position < to)
        {
            int size = (int)Math.Min(chunkSize, to - position);
            byte[] buffer = ArrayPool<byte>.Shared.Rent(size);
            try
            {
                int read = await ReadExactlyAsync(store, tp, segment, position, buffer.AsMemory(0, size), cancellationToken).ConfigureAwait(false);
                int local = 0;
                while (read - local >= RecordBatchHeader.Size)
                {
                    RecordBatchHeader header = ReadHeader(buffer.AsSpan(local, read - local), tp, segment, position + local);
                    if (header.BatchLength > read - local)
                    {
                        break;
                    }

                    await visit(new BatchLocation(header, segment.BaseOffset, position + local, segment.Generation), buffer.AsMemory(local, header.BatchLength)).ConfigureAwait(false);
                    local += header.BatchLength;
                }

                if (local == 0)
                {
                    // One batch larger than the chunk: read it whole next time.
                    RecordBatchHeader header = ReadHeader(buffer.AsSpan(0, read), tp, segment, position);
                    if (header.BatchLength <= size || position + header.BatchLength > to)
                    {
                        throw Corrupt(tp, segment, position, "a batch runs past the end of the segment");
                    }

                    chunkSize = header.BatchLength;
                    continue;
                }

                position += local;
                chunkSize = ChunkBytes;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>
    /// Headers of the last batches of a segment, oldest first, walking back from <paramref name="length"/>
    /// until <paramref name="stop"/> returns true for a batch (it is included) or <paramref name="byteBudget"/> is spent.
    /// </summary>
    public static async Task<List<BatchLocation>> ScanBackwardAsync(ISegmentStore store, TopicPartition tp, SegmentRef segment, long length, long byteBudget, Func<RecordBatchHeader, bool>? stop, CancellationToken cancellationToken)
    {
        var result = new List<BatchLocation>();
        long end = length;
        int chunkSize = ChunkBytes;
        while (end > 0 && length - end < byteBudget)
        {
            int size = (int)Math.Min(chunkSize, end);
            long chunkStart = end - size;
            byte[] buffer = ArrayPool<byte>.Shared.Rent(size);
            try
            {
                int read = await ReadExactlyAsync(store, tp, segment, chunkStart, buffer.AsMemory(0, size), cancellationToken).ConfigureAwait(false);
                if (read != size)
                {
                    throw Corrupt(tp, segment, chunkStart, "the segment is shorter than its stated length");
                }

                int local = size;
                bool stopped = false;
                int? needBigger = null;
                while (local >= RecordBatchTrailer.Size)
                {
                    RecordBatchTrailer trailer = ReadTrailer(buffer.AsSpan(local - RecordBatchTrailer.Size, RecordBatchTrailer.Size), tp, segment, chunkStart + local);
                    if (trailer.BatchLength > local)
                    {
                        if (local == size)
                        {
                            needBigger = trailer.BatchLength;
                        }

                        break;
                    }

                    int start = local - trailer.BatchLength;
                    RecordBatchHeader header = ReadHeader(buffer.AsSpan(start, trailer.BatchLength), tp, segment, chunkStart + start);
                    if (header.BaseOffset != trailer.BaseOffset || header.BatchLength != trailer.BatchLength || header.RecordCount != trailer.RecordCount)
                    {
                        throw Corrupt(tp, segment, chunkStart + start, "header and trailer disagree");
                    }

                    result.Add(new BatchLocation(header, segment.BaseOffset, chunkStart + start, segment.Generation));
                    local = start;
                    if (stop?.Invoke(header) == true)
                    {
                        stopped = true;
                        break;
                    }
                }

                if (stopped)
                {
                    break;
                }

                if (needBigger is { } bigger)
                {
                    if (bigger > end)
                    {
                        throw Corrupt(tp, segment, end, "a trailer points before the start of the segment");
                    }

                    chunkSize = bigger;
                    continue;
                }

                end = chunkStart + local;
                chunkSize = ChunkBytes;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        result.Reverse();
        return result;
    }

    /// <summary>
    /// The batch just before <paramref name="batch"/> in the partition (the last of the previous segment when it is a
    /// segment's first), read through its trailer and header alone; null at the start of the kept log.
    /// </summary>
    public static async Task<BatchLocation?> PreviousAsync(ISegmentStore store, TopicPartition tp, IReadOnlyList<long> segments, BatchLocation batch, CancellationToken cancellationToken)
    {
        SegmentRef segment = batch.Segment;
        long end = batch.Position;
        if (end == 0)
        {
            int i = -1;
            for (int k = 0; k < segments.Count && segments[k] < segment.BaseOffset; k++)
            {
                i = k;
            }

            if (i < 0 || await store.GetSegmentAsync(tp, segments[i], cancellationToken).ConfigureAwait(false) is not { Length: > 0 } previous)
            {
                return null;
            }

            segment = previous.Ref;
            end = previous.Length;
        }

        byte[] trailerBytes = new byte[RecordBatchTrailer.Size];
        if (await ReadExactlyAsync(store, tp, segment, end - RecordBatchTrailer.Size, trailerBytes, cancellationToken).ConfigureAwait(false) != trailerBytes.Length)
        {
            throw Corrupt(tp, segment, end, "the segment is shorter than its stated length");
        }

        RecordBatchTrailer trailer = ReadTrailer(trailerBytes, tp, segment, end);
        long start = end - trailer.BatchLength;
        byte[] headerBytes = new byte[RecordBatchHeader.Size];
        if (start < 0 || await ReadExactlyAsync(store, tp, segment, start, headerBytes, cancellationToken).ConfigureAwait(false) != headerBytes.Length)
        {
            throw Corrupt(tp, segment, end, "a trailer points before the start of the segment");
        }

        RecordBatchHeader header = ReadHeader(headerBytes, tp, segment, start);
        return header.BaseOffset == trailer.BaseOffset ? new BatchLocation(header, segment.BaseOffset, start, segment.Generation) : throw Corrupt(tp, segment, start, "header and trailer disagree");
    }

    /// <summary>The header of a segment's first batch (the segment must not be empty).</summary>
    public static async Task<RecordBatchHeader> FirstHeaderAsync(ISegmentStore store, TopicPartition tp, SegmentRef segment, CancellationToken cancellationToken)
    {
        byte[] header = new byte[RecordBatchHeader.Size];
        return await ReadExactlyAsync(store, tp, segment, 0, header, cancellationToken).ConfigureAwait(false) == header.Length
            ? ReadHeader(header, tp, segment, 0)
            : throw Corrupt(tp, segment, 0, "the segment is shorter than one batch header");
    }

    public static async Task<int> ReadExactlyAsync(ISegmentStore store, TopicPartition tp, SegmentRef segment, long position, Memory<byte> destination, CancellationToken cancellationToken)
    {
        int total = 0;
        while (total < destination.Length)
        {
            int n = await store.ReadAsync(tp, segment, position + total, destination[total..], cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }

    private static RecordBatchHeader ReadHeader(ReadOnlySpan<byte> bytes, TopicPartition tp, SegmentRef segment, long position)
    {
        try
        {
            return RecordBatchHeader.Read(bytes);
        }
        catch (CorruptBatchException ex)
        {
            throw Corrupt(tp, segment, position, ex.Message, ex);
        }
    }

    private static RecordBatchTrailer ReadTrailer(ReadOnlySpan<byte> bytes, TopicPartition tp, SegmentRef segment, long position)
    {
        try
        {
            return RecordBatchTrailer.Read(bytes);
        }
        catch (CorruptBatchException ex)
        {
            throw Corrupt(tp, segment, position, ex.Message, ex);
        }
    }

    private static CorruptBatchException Corrupt(TopicPartition tp, SegmentRef segment, long position, string what, Exception? inner = null)
    {
        string message = string.Create(CultureInfo.InvariantCulture, $"Segment {segment} of {tp} at byte {position}: {what}.");
        return inner is null ? new CorruptBatchException(message) : new CorruptBatchException(message, inner);
    }
}
