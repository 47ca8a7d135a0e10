using System.Globalization;
using Newtonsoft.Json.Linq;
using Platform.Core.Log;
using Platform.Core.Streams.Engine;

namespace Platform.Core.Storage.InMemory;

/// <summary>Stream jobs, task state and results in memory, with the table store's conditional commits.</summary>
public sealed class InMemoryStreamStore : IStreamStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, StoredJob> _jobs = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Job, TopicPartition Input), (TaskPosition Position, string Version)> _positions = [];
    private readonly Dictionary<(string Job, TopicPartition Input), SortedDictionary<string, string>> _windows = [];
    private readonly Dictionary<string, SortedDictionary<(string Key, long Start), string>> _results = new(StringComparer.Ordinal);
    private long _versions;

    /// <inheritdoc />
    public Task<bool> AddJobAsync(StoredJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        lock (_lock) return Task.FromResult(_jobs.TryAdd(job.Name, job));
    }

    /// <inheritdoc />
    public Task PutJobAsync(StoredJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        lock (_lock) _jobs[job.Name] = job;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<StoredJob?> GetJobAsync(string name, CancellationToken cancellationToken)
    {
        lock (_lock) return Task.FromResult(_jobs.GetValueOrDefault(name));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredJob>> ListJobsAsync(CancellationToken cancellationToken)
    {
        lock (_lock) return Task.FromResult<IReadOnlyList<StoredJob>>([.. _jobs.Values.OrderBy(j => j.Name, StringComparer.Ordinal)]);
    }

    /// <inheritdoc />
    public Task<bool> DeleteJobAsync(string name, CancellationToken cancellationToken)
    {
        lock (_lock) return Task.FromResult(_jobs.Remove(name));
    }

    /// <inheritdoc />
    public Task<StoredTask> LoadAsync(string job, TopicPartition input, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            bool has = _positions.TryGetValue((job, input), out var p);
            IReadOnlyList<string> windows = _windows.TryGetValue((job, input), out var w) ? [.. w.Values] : [];
            return Task.FromResult(new StoredTask(has ? p.Position : null, has ? p.Version : null, windows));
        }
    }

    /// <inheritdoc />
    public Task<(TaskPosition? Position, string? Version)> GetPositionAsync(string job, TopicPartition input, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult<(TaskPosition?, string?)>(_positions.TryGetValue((job, input), out var p) ? (p.Position, p.Version) : (null, null));
        }
    }

    /// <inheritdoc />
    public Task<string?> CommitAsync(string job, TopicPartition input, IReadOnlyList<(string Row, string State)> upserts, IReadOnlyList<string> deletes, TaskPosition position, string? expected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upserts);
        ArgumentNullException.ThrowIfNull(deletes);
        if (upserts.Count + deletes.Count > IStreamStore.MaxChangesPerCommit) throw new ArgumentException("Too many changes for one commit.", nameof(upserts));
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            string? current = _positions.TryGetValue((job, input), out var p) ? p.Version : null;
            if (current != expected) return Task.FromResult<string?>(null);
            if (!_windows.TryGetValue((job, input), out var rows)) _windows[(job, input)] = rows = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (string row in deletes)
            {
                if (!rows.Remove(row)) throw new InvalidOperationException($"Deleting a window row that is not there: {row}."); // as the table's transaction would fail
            }

            foreach ((string row, string state) in upserts) rows[row] = state;
            string version = (++_versions).ToString(CultureInfo.InvariantCulture);
            _positions[(job, input)] = (position, version);
            return Task.FromResult<string?>(version);
        }
    }

    /// <inheritdoc />
    public Task PutResultsAsync(string job, IReadOnlyList<WindowResult> results, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(results);
        lock (_lock)
        {
            if (!_results.TryGetValue(job, out var all)) _results[job] = all = new SortedDictionary<(string, long), string>(Comparer<(string Key, long Start)>.Create((a, b) => string.CompareOrdinal(a.Key, b.Key) is var c and not 0 ? c : a.Start.CompareTo(b.Start)));
            foreach (WindowResult r in results) all[(r.Key, r.Start)] = r.Value.ToString(Newtonsoft.Json.Formatting.None);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<WindowResult>> QueryResultsAsync(string job, string? key, long from, long until, int limit, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            IReadOnlyList<WindowResult> found = _results.TryGetValue(job, out var all)
                ? [.. all.Where(r => (key is null || r.Key.Key == key) && r.Key.Start >= from && r.Key.Start < until).Take(limit).Select(r => new WindowResult(r.Key.Key, r.Key.Start, JObject.Parse(r.Value)))]
                : [];
            return Task.FromResult(found);
        }
    }

    /// <inheritdoc />
    public Task ClearAsync(string job, IReadOnlyList<TopicPartition> inputs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        lock (_lock)
        {
            foreach (TopicPartition input in inputs)
            {
                _positions.Remove((job, input));
                _windows.Remove((job, input));
            }

            _results.Remove(job);
        }

        return Task.CompletedTask;
    }
}
