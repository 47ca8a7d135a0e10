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
    private readonly ConcurrentDictionary<(TopicPartition Partition, long BaseOffset, int Generation), Segment> _rewritten = new();

    /// <inheritdoc />
    public Task<IReadOnlyList<long>> ListSegmentsAsync(TopicPartition partition, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<long> result = [.. _segments.Keys.Where(k => k.Partition == partition).Select(k => k.BaseOffset)
            .Concat(_rewritten.Keys.Where(k => k.Partition == partition).Select(k => k.BaseOffset)).Distinct().Order()];
        return Task.FromResult(result);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SegmentRef>> ListGenerationsAsync(TopicPartition partition, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<SegmentRef> result = [.. _segments.Keys.Where(k => k.Partition == partition).Select(k => new SegmentRef(k.BaseOffset))
            .Concat(_rewritten.Keys.Where(k => k.Partition == partition).Select(k => new SegmentRef(k.BaseOffset, k.Generation)))
            .OrderBy(s => s.BaseOffset).ThenBy(s => s.Generation)];
        return Task.FromResult(result);
    }

    /// <inheritdoc />
    public Task<SegmentInfo?> GetSegmentAsync(TopicPartition partition, long baseOffset, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        int newest = _rewritten.Keys.Where(k => k.Partition == partition && k.BaseOffset == baseOffset).Select(k => k.Generation).DefaultIfEmpty(0).Max();
        if (!TryGet(partition, new SegmentRef(baseOffset, newest), out Segment? segment))
        {
            return Task.FromResult<SegmentInfo?>(null);
        }

        lock (segment)
        {
            return Task.FromResult<SegmentInfo?>(new SegmentInfo(baseOffset, segment.Length, segment.Blocks, segment.Limits, newest));
        }
    }

    /// <inheritdoc />
    public Task<SegmentInfo?> GetGenerationAsync(TopicPartition partition, SegmentRef segment, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!TryGet(partition, segment, out Segment? stored))
        {
            return Task.FromResult<SegmentInfo?>(null);
        }

        lock (stored)
        {
            return Task.FromResult<SegmentInfo?>(new SegmentInfo(segment.BaseOffset, stored.Length, stored.Blocks, stored.Limits, segment.Generation));
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
    public Task<int> ReadAsync(TopicPartition partition, SegmentRef segment, long position, Memory<byte> destination, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!TryGet(partition, segment, out Segment? stored))
        {
            throw new SegmentMissingException($"Segment {segment} of {partition} does not exist.");
        }

        lock (stored)
        {
            int n = (int)Math.Clamp(stored.Length - position, 0, destination.Length);
            stored.Data.AsSpan((int)position, n).CopyTo(destination.Span);
            return Task.FromResult(n);
        }
    }

    /// <inheritdoc />
    public Task<bool> DeleteSegmentAsync(TopicPartition partition, long baseOffset, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        bool deleted = _segments.TryRemove((partition, baseOffset), out _);
        foreach (var key in _rewritten.Keys.Where(k => k.Partition == partition && k.BaseOffset == baseOffset))
        {
            deleted |= _rewritten.TryRemove(key, out _);
        }

        return Task.FromResult(deleted);
    }

    /// <inheritdoc />
    public ISegmentUpload BeginRewrite(TopicPartition partition, SegmentRef segment) => new Upload(this, partition, segment);

    /// <inheritdoc />
    public Task<bool> DeleteGenerationAsync(TopicPartition partition, SegmentRef segment, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(segment.Generation == 0
            ? _segments.TryRemove((partition, segment.BaseOffset), out _)
            : _rewritten.TryRemove((partition, segment.BaseOffset, segment.Generation), out _));
    }

    private bool TryGet(TopicPartition partition, SegmentRef segment, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Segment? found) =>
        segment.Generation == 0
            ? _segments.TryGetValue((partition, segment.BaseOffset), out found)
            : _rewritten.TryGetValue((partition, segment.BaseOffset, segment.Generation), out found);

    private sealed class Upload(InMemorySegmentStore store, TopicPartition partition, SegmentRef segment) : ISegmentUpload
    {
        private readonly Segment _staged = new(SegmentLimits.Rewritten);

        public Task StageAsync(ReadOnlyMemory<byte> block, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _staged.Append(block.Span);
            return Task.CompletedTask;
        }

        public Task<bool> CommitAsync(CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return Task.FromResult(store._rewritten.TryAdd((partition, segment.BaseOffset, segment.Generation), _staged));
        }
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
