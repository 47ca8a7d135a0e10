using Platform.Core.Log;
using Platform.Core.Storage;
using Platform.Core.Streams.Engine;

namespace Platform.Tests.Streams;

/// <summary>
/// A stream store that "crashes" the task at the worst moments, at random: after a sub-batch's records were written to
/// topics and before its commit (the commit fails, nothing of it stored), and before results are kept.
/// </summary>
internal sealed class CrashingStreamStore(IStreamStore inner, double rate, int seed) : IStreamStore
{
    private readonly Random _random = new(seed);
    private readonly Lock _lock = new();

    public int Crashes { get; private set; }

    private void MaybeCrash(string where)
    {
        lock (_lock)
        {
            if (_random.NextDouble() >= rate) return;
            Crashes++;
        }

        throw new InvalidOperationException($"injected crash {where}");
    }

    public Task<string?> CommitAsync(string job, TopicPartition input, IReadOnlyList<(string Row, string State)> upserts, IReadOnlyList<string> deletes, TaskPosition position, string? expected, CancellationToken cancellationToken)
    {
        if (position.PendingEnd is null) MaybeCrash("before a commit");
        return inner.CommitAsync(job, input, upserts, deletes, position, expected, cancellationToken);
    }

    public Task PutResultsAsync(string job, IReadOnlyList<WindowResult> results, CancellationToken cancellationToken)
    {
        MaybeCrash("before results");
        return inner.PutResultsAsync(job, results, cancellationToken);
    }

    public Task<bool> AddJobAsync(StoredJob job, CancellationToken cancellationToken) => inner.AddJobAsync(job, cancellationToken);

    public Task PutJobAsync(StoredJob job, CancellationToken cancellationToken) => inner.PutJobAsync(job, cancellationToken);

    public Task<StoredJob?> GetJobAsync(string name, CancellationToken cancellationToken) => inner.GetJobAsync(name, cancellationToken);

    public Task<IReadOnlyList<StoredJob>> ListJobsAsync(CancellationToken cancellationToken) => inner.ListJobsAsync(cancellationToken);

    public Task<bool> DeleteJobAsync(string name, CancellationToken cancellationToken) => inner.DeleteJobAsync(name, cancellationToken);

    public Task<StoredTask> LoadAsync(string job, TopicPartition input, CancellationToken cancellationToken) => inner.LoadAsync(job, input, cancellationToken);

    public Task<(TaskPosition? Position, string? Version)> GetPositionAsync(string job, TopicPartition input, CancellationToken cancellationToken) => inner.GetPositionAsync(job, input, cancellationToken);

    public Task<IReadOnlyList<WindowResult>> QueryResultsAsync(string job, string? key, long from, long until, int limit, CancellationToken cancellationToken) => inner.QueryResultsAsync(job, key, from, until, limit, cancellationToken);

    public Task ClearAsync(string job, IReadOnlyList<TopicPartition> inputs, CancellationToken cancellationToken) => inner.ClearAsync(job, inputs, cancellationToken);
}
