using Platform.Core.Log;
using Platform.Core.Storage;

namespace Platform.Tests.Fixtures;

/// <summary>
/// A segment store that runs the test's script around every call: hold an append, fail a read, lose a response.
/// Counts the bytes read, so a test can tell a short walk from a scan of a whole segment.
/// </summary>
public sealed class ScriptedSegmentStore(ISegmentStore inner) : ISegmentStore
{
    private long _bytesRead;

    /// <summary>Runs before an append reaches the store; throw to fail it unapplied, await to hold it.</summary>
    public Func<TopicPartition, CancellationToken, Task>? BeforeAppend { get; set; }

    /// <summary>Runs after an append was applied; throw to lose its response.</summary>
    public Func<TopicPartition, AppendOutcome, CancellationToken, Task>? AfterAppend { get; set; }

    /// <summary>Replaces what an applied append answers (a storage client's internal retry that hit 412 after its first try landed).</summary>
    public Func<TopicPartition, AppendOutcome, AppendOutcome>? ReplaceOutcome { get; set; }

    /// <summary>Runs before a read; throw to fail it.</summary>
    public Func<TopicPartition, CancellationToken, Task>? BeforeRead { get; set; }

    /// <summary>Runs before a look at a segment's properties (its length, for one).</summary>
    public Action<TopicPartition>? BeforeLook { get; set; }

    public long BytesRead => Interlocked.Read(ref _bytesRead);

    public void ResetCounters() => Interlocked.Exchange(ref _bytesRead, 0);

    public Task<IReadOnlyList<long>> ListSegmentsAsync(TopicPartition partition, CancellationToken cancellationToken) => inner.ListSegmentsAsync(partition, cancellationToken);

    public Task<SegmentInfo?> GetSegmentAsync(TopicPartition partition, long baseOffset, CancellationToken cancellationToken)
    {
        BeforeLook?.Invoke(partition);
        return inner.GetSegmentAsync(partition, baseOffset, cancellationToken);
    }

    public Task<bool> CreateSegmentAsync(TopicPartition partition, long baseOffset, SegmentLimits limits, CancellationToken cancellationToken) => inner.CreateSegmentAsync(partition, baseOffset, limits, cancellationToken);

    public async Task<AppendOutcome> AppendAsync(TopicPartition partition, long baseOffset, ReadOnlyMemory<byte> data, long expectedPosition, long maxSize, CancellationToken cancellationToken)
    {
        if (BeforeAppend is { } before)
        {
            await before(partition, cancellationToken);
        }

        AppendOutcome outcome = await inner.AppendAsync(partition, baseOffset, data, expectedPosition, maxSize, cancellationToken);
        if (AfterAppend is { } after)
        {
            await after(partition, outcome, cancellationToken);
        }

        return ReplaceOutcome is { } replace ? replace(partition, outcome) : outcome;
    }

    public async Task<int> ReadAsync(TopicPartition partition, SegmentRef segment, long position, Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (BeforeRead is { } before)
        {
            await before(partition, cancellationToken);
        }

        int n = await inner.ReadAsync(partition, segment, position, destination, cancellationToken);
        Interlocked.Add(ref _bytesRead, n);
        return n;
    }

    public Task<IReadOnlyList<SegmentRef>> ListGenerationsAsync(TopicPartition partition, CancellationToken cancellationToken) => inner.ListGenerationsAsync(partition, cancellationToken);

    public Task<SegmentInfo?> GetGenerationAsync(TopicPartition partition, SegmentRef segment, CancellationToken cancellationToken) => inner.GetGenerationAsync(partition, segment, cancellationToken);

    public ISegmentUpload BeginRewrite(TopicPartition partition, SegmentRef segment) => inner.BeginRewrite(partition, segment);

    public Task<bool> DeleteGenerationAsync(TopicPartition partition, SegmentRef segment, CancellationToken cancellationToken) => inner.DeleteGenerationAsync(partition, segment, cancellationToken);

    public Task<bool> DeleteSegmentAsync(TopicPartition partition, long baseOffset, CancellationToken cancellationToken) => inner.DeleteSegmentAsync(partition, baseOffset, cancellationToken);
}
