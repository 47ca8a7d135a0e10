using System.Collections.Concurrent;
using Platform.Core.Log;

namespace Platform.Core.Storage.InMemory;

/// <summary>The offset and time indexes as sorted lists in memory.</summary>
public sealed class InMemoryOffsetIndex : IOffsetIndex
{
    private readonly ConcurrentDictionary<TopicPartition, SortedList<long, BatchIndexEntry>> _byOffset = new();

    /// <inheritdoc />
    public Task ClearAsync(TopicPartition partition, CancellationToken cancellationToken)
    {
        _byOffset.TryRemove(partition, out _);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task AddAsync(TopicPartition partition, IReadOnlyList<BatchIndexEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        cancellationToken.ThrowIfCancellationRequested();
        SortedList<long, BatchIndexEntry> list = _byOffset.GetOrAdd(partition, _ => []);
        lock (list)
        {
            foreach (BatchIndexEntry e in entries)
            {
                list[e.LastOffset] = e;
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task ReplaceAsync(TopicPartition partition, IndexSpan span, IReadOnlyList<BatchIndexEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        cancellationToken.ThrowIfCancellationRequested();
        SortedList<long, BatchIndexEntry> list = _byOffset.GetOrAdd(partition, _ => []);
        lock (list)
        {
            var kept = entries.Select(e => e.LastOffset).ToHashSet();
            foreach (long stale in list.Keys.Where(k => k >= span.FromOffset && k < span.ToOffset && !kept.Contains(k)).ToList())
            {
                list.Remove(stale);
            }

            foreach (BatchIndexEntry e in entries)
            {
                list[e.LastOffset] = e;
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task DeleteBeforeAsync(TopicPartition partition, long offset, CancellationToken cancellationToken)
    {
        if (_byOffset.TryGetValue(partition, out SortedList<long, BatchIndexEntry>? list))
        {
            lock (list)
            {
                while (list.Count > 0 && list.Keys[0] < offset)
                {
                    list.RemoveAt(0);
                }
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<BatchIndexEntry?> FindByOffsetAsync(TopicPartition partition, long offset, CancellationToken cancellationToken) =>
        Find(partition, e => e.LastOffset >= offset, cancellationToken);

    /// <inheritdoc />
    public Task<BatchIndexEntry?> FindByTimeAsync(TopicPartition partition, long appendTime, CancellationToken cancellationToken) =>
        Find(partition, e => e.AppendTime >= appendTime, cancellationToken);

    private Task<BatchIndexEntry?> Find(TopicPartition partition, Func<BatchIndexEntry, bool> predicate, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!_byOffset.TryGetValue(partition, out SortedList<long, BatchIndexEntry>? list))
        {
            return Task.FromResult<BatchIndexEntry?>(null);
        }

        lock (list)
        {
            // Append times never decrease along a partition, so offset order is also time order.
            return Task.FromResult(list.Values.FirstOrDefault(predicate));
        }
    }
}
