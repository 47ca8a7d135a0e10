using System.Collections.Concurrent;
using Platform.Core.Log;

namespace Platform.Core.Storage.InMemory;

/// <summary>
/// Segments in memory with the append blob's rules: append-position and max-size conditions and a
/// block limit. For unit tests and benchmarks of the engine without storage latency.
/// </summary>
public sealed class InMemorySegmentStore(int maxBlocks = Options.LogOptions.ServiceMaxBlocks) : ISegmentStore
{
    private readonly ConcurrentDictionary<(TopicPartition Partition, long BaseOffset), Segment> _segments = new();

    /// <inheritdoc />
    public Task<IReadOnlyList<long>> ListSegmentsAsync(TopicPartition partition, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<long> result = [.. _segments.Keys.Where(k => k.Partition == partition).Select(k => k.BaseOffset).Order()];
        return Task.FromResult(result);
    }

    /// <inheritdoc />
    public Task<SegmentInfo?> GetSegmentAsync(TopicPartition partition, long baseOffset, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!_segments.TryGetValue((partition, baseOffset), out Segment? segment))
        {
            return Task.FromResult<SegmentInfo?>(null);
        }

        lock (segment)
        {
            return Task.FromResult<SegmentInfo?>(new SegmentInfo(baseOffset, segment.Length, segment.Blocks, segment.Limits));
        }
    }

    /// <inheritdoc />
    public Task<bool> CreateSegmentAsync(TopicPartition partition, long baseOffset, SegmentLimits limits, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_segments.TryAdd((partition, baseOffset), new Segment(limits)));
    }

    /// <inheritdoc />
    public Task<AppendOutcome> AppendAsync(TopicPartition partition, long baseOffset, ReadOnlyMemory<byte> data, long expectedPosition, long maxSize, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!_segments.TryGetValue((partition, baseOffset), out Segment? segment))
        {
            return Task.FromResult(new AppendOutcome(AppendStatus.SegmentMissing));
        }

        lock (segment)
        {
            if (segment.Length + data.Length > maxSize || segment.Blocks >= maxBlocks)
            {
                return Task.FromResult(new AppendOutcome(AppendStatus.MaxSizeExceeded));
            }

            if (segment.Length != expectedPosition)
            {
                return Task.FromResult(new AppendOutcome(AppendStatus.PositionMismatch));
            }

            segment.Append(data.Span);
            return Task.FromResult(new AppendOutcome(AppendStatus.Appended, segment.Blocks));
        }
    }

    /// <inheritdoc />
    public Task<int> ReadAsync(TopicPartition partition, long baseOffset, long position, Memory<byte> destination, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!_segments.TryGetValue((partition, baseOffset), out Segment? segment))
        {
            throw new SegmentMissingException($"Segment {baseOffset} of {partition} does not exist.");
        }

        lock (segment)
        {
            int n = (int)Math.Clamp(segment.Length - position, 0, destination.Length);
            segment.Data.AsSpan((int)position, n).CopyTo(destination.Span);
            return Task.FromResult(n);
        }
    }

    /// <inheritdoc />
    public Task<bool> DeleteSegmentAsync(TopicPartition partition, long baseOffset, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_segments.TryRemove((partition, baseOffset), out _));
    }

    private sealed class Segment(SegmentLimits limits)
    {
        public SegmentLimits Limits { get; } = limits;

        public byte[] Data { get; private set; } = new byte[1024];

        public int Length { get; private set; }

        public int Blocks { get; private set; }

        public void Append(ReadOnlySpan<byte> data)
        {
            if (Length + data.Length > Data.Length)
            {
                byte[] bigger = new byte[Math.Max(Data.Length * 2, Length + data.Length)];
                Data.AsSpan(0, Length).CopyTo(bigger);
                Data = bigger;
            }

            data.CopyTo(Data.AsSpan(Length));
            Length += data.Length;
            Blocks++;
        }
    }
}
