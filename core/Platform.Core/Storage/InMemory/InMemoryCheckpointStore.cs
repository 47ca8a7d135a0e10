using System.Globalization;
using Platform.Core.Consumers;
using Platform.Core.Log;

namespace Platform.Core.Storage.InMemory;

/// <summary>Committed offsets and result rows in memory, with the table store's conditional commits.</summary>
public sealed class InMemoryCheckpointStore : ICheckpointStore
{
    private readonly Dictionary<(string Group, string Key), (IReadOnlyDictionary<string, object?> Values, long Version)> _rows = [];
    private readonly Lock _lock = new();
    private long _versions;

    /// <inheritdoc />
    public Task<Checkpoint?> GetAsync(string group, TopicPartition partition, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return Task.FromResult(_rows.TryGetValue((group, StorageNames.CheckpointRowKey(partition)), out var row) ? ToCheckpoint(row) : null);
        }
    }

    /// <inheritdoc />
    public Task<Checkpoint?> TryCommitAsync(string group, TopicPartition partition, long offset, Checkpoint? expected, IReadOnlyList<GroupResult>? results, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        foreach (GroupResult result in results ?? [])
        {
            StorageNames.CheckResultKey(result.Key);
        }

        lock (_lock)
        {
            var key = (group, StorageNames.CheckpointRowKey(partition));
            bool exists = _rows.TryGetValue(key, out var current);
            if (expected is null ? exists : !exists || current.Version.ToString(CultureInfo.InvariantCulture) != expected.Version)
            {
                return Task.FromResult<Checkpoint?>(null);
            }

            foreach (GroupResult result in results ?? [])
            {
                _rows[(group, result.Key)] = (result.Values, ++_versions);
            }

            var written = (Values: Offset(offset), Version: ++_versions);
            _rows[key] = written;
            return Task.FromResult<Checkpoint?>(ToCheckpoint(written));
        }
    }

    /// <inheritdoc />
    public Task SetAsync(string group, TopicPartition partition, long offset, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            _rows[(group, StorageNames.CheckpointRowKey(partition))] = (Offset(offset), ++_versions);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, object?>?> GetResultAsync(string group, string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        StorageNames.CheckResultKey(key);
        lock (_lock)
        {
            return Task.FromResult(_rows.TryGetValue((group, key), out var row) ? row.Values : null);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<GroupOffset> ListAsync(string? topic, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        List<GroupOffset> offsets;
        lock (_lock)
        {
            offsets = [.. _rows
                .Where(r => r.Key.Key.StartsWith("o:", StringComparison.Ordinal))
                .Select(r => new GroupOffset(r.Key.Group, StorageNames.ParseCheckpointRowKey(r.Key.Key), (long)r.Value.Values["Offset"]!))
                .Where(o => topic is null || o.Partition.Topic == topic)
                .OrderBy(o => o.Group, StringComparer.Ordinal).ThenBy(o => o.Partition.Topic, StringComparer.Ordinal).ThenBy(o => o.Partition.Partition)];
        }

        foreach (GroupOffset offset in offsets)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return offset;
        }
    }

    /// <inheritdoc />
    public Task DeleteAsync(string group, TopicPartition partition, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            _rows.Remove((group, StorageNames.CheckpointRowKey(partition)));
        }

        return Task.CompletedTask;
    }

    private static Dictionary<string, object?> Offset(long offset) => new() { ["Offset"] = offset };

    private static Checkpoint ToCheckpoint((IReadOnlyDictionary<string, object?> Values, long Version) row) =>
        new((long)row.Values["Offset"]!, row.Version.ToString(CultureInfo.InvariantCulture));
}
