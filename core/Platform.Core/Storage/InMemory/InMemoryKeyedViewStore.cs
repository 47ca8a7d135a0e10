using System.Collections.Concurrent;
using System.Globalization;
using Platform.Core.Log;

namespace Platform.Core.Storage.InMemory;

/// <summary>The keyed view in memory: a sorted map per partition and its position, changed under one lock.</summary>
public sealed class InMemoryKeyedViewStore : IKeyedViewStore
{
    private readonly ConcurrentDictionary<TopicPartition, View> _views = new();

    /// <inheritdoc />
    public Task<KeyedViewPosition?> GetPositionAsync(TopicPartition partition, CancellationToken cancellationToken)
    {
        View view = _views.GetOrAdd(partition, _ => new View());
        lock (view)
        {
            return Task.FromResult(view.Position);
        }
    }

    /// <inheritdoc />
    public Task<KeyedViewPosition?> ApplyAsync(TopicPartition partition, IReadOnlyList<(byte[] Key, KeyedEntry? Entry)> changes, long nextOffset, KeyedViewPosition? expected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(changes.Count, IKeyedViewStore.MaxChangesPerApply);
        View view = _views.GetOrAdd(partition, _ => new View());
        lock (view)
        {
            if (view.Position?.Version != expected?.Version)
            {
                return Task.FromResult<KeyedViewPosition?>(null);
            }

            foreach ((byte[] key, KeyedEntry? entry) in changes)
            {
                string k = Convert.ToHexStringLower(key);
                if (entry is null)
                {
                    view.Entries.Remove(k);
                }
                else
                {
                    view.Entries[k] = entry;
                }
            }

            view.Position = new KeyedViewPosition(nextOffset, (++view.Versions).ToString(CultureInfo.InvariantCulture));
            return Task.FromResult<KeyedViewPosition?>(view.Position);
        }
    }

    /// <inheritdoc />
    public Task ClearAsync(TopicPartition partition, CancellationToken cancellationToken)
    {
        _views.TryRemove(partition, out _);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<KeyedEntry?> GetAsync(TopicPartition partition, byte[] key, CancellationToken cancellationToken)
    {
        View view = _views.GetOrAdd(partition, _ => new View());
        lock (view)
        {
            return Task.FromResult(view.Entries.GetValueOrDefault(Convert.ToHexStringLower(key)));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<KeyedEntry>> ListAsync(TopicPartition partition, byte[] prefix, byte[]? after, int limit, CancellationToken cancellationToken)
    {
        View view = _views.GetOrAdd(partition, _ => new View());
        string p = Convert.ToHexStringLower(prefix), a = after is null ? string.Empty : Convert.ToHexStringLower(after);
        lock (view)
        {
            IReadOnlyList<KeyedEntry> found = [.. view.Entries.Where(e => e.Key.StartsWith(p, StringComparison.Ordinal) && string.CompareOrdinal(e.Key, a) > 0).Take(limit).Select(e => e.Value)];
            return Task.FromResult(found);
        }
    }

    private sealed class View
    {
        public SortedDictionary<string, KeyedEntry> Entries { get; } = new(StringComparer.Ordinal);

        public KeyedViewPosition? Position { get; set; }

        public long Versions { get; set; }
    }
}
