using System.Buffers;

namespace Platform.Core.Log.Batches;

/// <summary>
/// A record batch encoded into a pooled buffer, ready to append. The writer stamps its offset and
/// append time with <see cref="Rebase"/> just before each attempt; the payload is never re-encoded.
/// </summary>
public sealed class EncodedBatch : IDisposable
{
    private byte[]? _buffer;

    internal EncodedBatch(byte[] buffer, RecordBatchHeader header)
    {
        _buffer = buffer;
        Header = header;
    }

    /// <summary>The header as last stamped.</summary>
    public RecordBatchHeader Header { get; private set; }

    /// <summary>Whole batch length in bytes.</summary>
    public int Length => Header.BatchLength;

    /// <summary>The bytes to append.</summary>
    public ReadOnlyMemory<byte> Memory
    {
        get
        {
            ObjectDisposedException.ThrowIf(_buffer is null, this);
            return _buffer.AsMemory(0, Length);
        }
    }

    /// <summary>Sets base offset and append time, rewriting header and trailer CRCs.</summary>
    public void Rebase(long baseOffset, long appendTime)
    {
        ObjectDisposedException.ThrowIf(_buffer is null, this);
        ArgumentOutOfRangeException.ThrowIfNegative(baseOffset);
        Header = Header with { BaseOffset = baseOffset, AppendTime = appendTime };
        Span<byte> span = _buffer.AsSpan(0, Length);
        Header.Write(span);
        new RecordBatchTrailer(baseOffset, Header.RecordCount, Length).Write(span[^RecordBatchTrailer.Size..]);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        byte[]? buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
