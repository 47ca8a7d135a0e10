using Azure;
using Platform.Core.Log;
using Platform.Core.Storage;

namespace Platform.Tests.Model;

/// <summary>How often a <see cref="FaultySegmentStore"/> misbehaves, per call.</summary>
public sealed record FaultRates(double FailBeforeAppend, double LoseAppendResponse, double StallAppend, double FailRead)
{
    public static FaultRates None { get; } = new(0, 0, 0, 0);
}

/// <summary>
/// A segment store that fails the way storage does: appends refused before they apply, appends applied whose answer is
/// lost, appends applied and never answered (until the caller gives up), reads that fail. Seeded, so a schedule's
/// faults are drawn from its seed.
/// </summary>
public sealed class FaultySegmentStore(ISegmentStore inner, FaultRates rates, int seed) : ISegmentStore
{
    private readonly Random _random = new(seed);
    private readonly Lock _lock = new();

    public int Injected { get; private set; }

    public Task<IReadOnlyList<long>> ListSegmentsAsync(TopicPartition partition, CancellationToken cancellationToken) => inner.ListSegmentsAsync(partition, cancellationToken);

    public Task<SegmentInfo?> GetSegmentAsync(TopicPartition partition, long baseOffset, CancellationToken cancellationToken) => inner.GetSegmentAsync(partition, baseOffset, cancellationToken);

    public Task<bool> CreateSegmentAsync(TopicPartition partition, long baseOffset, SegmentLimits limits, CancellationToken cancellationToken) => inner.CreateSegmentAsync(partition, baseOffset, limits, cancellationToken);

    public async Task<AppendOutcome> AppendAsync(TopicPartition partition, long baseOffset, ReadOnlyMemory<byte> data, long expectedPosition, long maxSize, CancellationToken cancellationToken)
    {
        if (Draw(rates.FailBeforeAppend))
        {
            throw new RequestFailedException(500, "injected: failed before applying");
        }

        AppendOutcome outcome = await inner.AppendAsync(partition, baseOffset, data, expectedPosition, maxSize, cancellationToken);
        if (Draw(rates.StallAppend))
        {
            await Task.Delay(Timeout.Infinite, cancellationToken); // applied, never answered
        }

        if (Draw(rates.LoseAppendResponse))
        {
            throw Draw(0.5) ? new RequestFailedException(503, "injected: response lost") : new TimeoutException("injected: response lost");
        }

        return outcome;
    }

    public Task<int> ReadAsync(TopicPartition partition, SegmentRef segment, long position, Memory<byte> destination, CancellationToken cancellationToken) =>
        Draw(rates.FailRead) ? throw new RequestFailedException(503, "injected: read failed") : inner.ReadAsync(partition, segment, position, destination, cancellationToken);

    public Task<IReadOnlyList<SegmentRef>> ListGenerationsAsync(TopicPartition partition, CancellationToken cancellationToken) => inner.ListGenerationsAsync(partition, cancellationToken);

    public Task<SegmentInfo?> GetGenerationAsync(TopicPartition partition, SegmentRef segment, CancellationToken cancellationToken) => inner.GetGenerationAsync(partition, segment, cancellationToken);

    public ISegmentUpload BeginRewrite(TopicPartition partition, SegmentRef segment) => inner.BeginRewrite(partition, segment);

    public Task<bool> DeleteGenerationAsync(TopicPartition partition, SegmentRef segment, CancellationToken cancellationToken) => inner.DeleteGenerationAsync(partition, segment, cancellationToken);

    public Task<bool> DeleteSegmentAsync(TopicPartition partition, long baseOffset, CancellationToken cancellationToken) => inner.DeleteSegmentAsync(partition, baseOffset, cancellationToken);

    private bool Draw(double p)
    {
        if (p <= 0)
        {
            return false;
        }

        lock (_lock)
        {
            bool hit = _random.NextDouble() < p;
            Injected += hit ? 1 : 0;
            return hit;
        }
    }
}

/// <summary>An index that drops a share of its writes, leaving holes, as index writes that give up or die with an instance do.</summary>
public sealed class HoleyIndex(IOffsetIndex inner, double dropRate, int seed) : IOffsetIndex
{
    private readonly Random _random = new(seed);
    private readonly Lock _lock = new();

    public Task AddAsync(TopicPartition partition, IReadOnlyList<BatchIndexEntry> entries, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_random.NextDouble() < dropRate)
            {
                return Task.CompletedTask;
            }
        }

        return inner.AddAsync(partition, entries, cancellationToken);
    }

    public Task<BatchIndexEntry?> FindByOffsetAsync(TopicPartition partition, long offset, CancellationToken cancellationToken) => inner.FindByOffsetAsync(partition, offset, cancellationToken);

    public Task<BatchIndexEntry?> FindByTimeAsync(TopicPartition partition, long appendTime, CancellationToken cancellationToken) => inner.FindByTimeAsync(partition, appendTime, cancellationToken);

    public Task ReplaceAsync(TopicPartition partition, IndexSpan span, IReadOnlyList<BatchIndexEntry> entries, CancellationToken cancellationToken) => inner.ReplaceAsync(partition, span, entries, cancellationToken);

    public Task DeleteBeforeAsync(TopicPartition partition, long offset, CancellationToken cancellationToken) => inner.DeleteBeforeAsync(partition, offset, cancellationToken);

    public Task ClearAsync(TopicPartition partition, CancellationToken cancellationToken) => inner.ClearAsync(partition, cancellationToken);
}
