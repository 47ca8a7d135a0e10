using Platform.Core.Log;
using Platform.Core.Storage;

namespace Platform.Tests.Fixtures;

/// <summary>A segment store whose appends take a while: queues build up behind them.</summary>
public sealed class SlowSegmentStore(ISegmentStore inner, TimeSpan appendDelay) : ISegmentStore
{
    public Task<IReadOnlyList<long>> ListSegmentsAsync(TopicPartition partition, CancellationToken cancellationToken) => inner.ListSegmentsAsync(partition, cancellationToken);

    public Task<SegmentInfo?> GetSegmentAsync(TopicPartition partition, long baseOffset, CancellationToken cancellationToken) => inner.GetSegmentAsync(partition, baseOffset, cancellationToken);

    public Task<bool> CreateSegmentAsync(TopicPartition partition, long baseOffset, SegmentLimits limits, CancellationToken cancellationToken) => inner.CreateSegmentAsync(partition, baseOffset, limits, cancellationToken);

    public async Task<AppendOutcome> AppendAsync(TopicPartition partition, long baseOffset, ReadOnlyMemory<byte> data, long expectedPosition, long maxSize, CancellationToken cancellationToken)
    {
        await Task.Delay(appendDelay, cancellationToken);
        return await inner.AppendAsync(partition, baseOffset, data, expectedPosition, maxSize, cancellationToken);
    }

    public Task<int> ReadAsync(TopicPartition partition, SegmentRef segment, long position, Memory<byte> destination, CancellationToken cancellationToken) => inner.ReadAsync(partition, segment, position, destination, cancellationToken);

    public Task<IReadOnlyList<SegmentRef>> ListGenerationsAsync(TopicPartition partition, CancellationToken cancellationToken) => inner.ListGenerationsAsync(partition, cancellationToken);

    public Task<SegmentInfo?> GetGenerationAsync(TopicPartition partition, SegmentRef segment, CancellationToken cancellationToken) => inner.GetGenerationAsync(partition, segment, cancellationToken);

    public ISegmentUpload BeginRewrite(TopicPartition partition, SegmentRef segment) => inner.BeginRewrite(partition, segment);

    public Task<bool> DeleteGenerationAsync(TopicPartition partition, SegmentRef segment, CancellationToken cancellationToken) => inner.DeleteGenerationAsync(partition, segment, cancellationToken);

    public Task<bool> DeleteSegmentAsync(TopicPartition partition, long baseOffset, CancellationToken cancellationToken) => inner.DeleteSegmentAsync(partition, baseOffset, cancellationToken);
}
