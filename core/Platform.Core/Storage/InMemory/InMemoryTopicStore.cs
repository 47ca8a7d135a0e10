using System.Collections.Concurrent;
using Platform.Core.Log.Topics;

namespace Platform.Core.Storage.InMemory;

/// <summary>Topic metadata in memory.</summary>
public sealed class InMemoryTopicStore : ITopicStore
{
    private readonly ConcurrentDictionary<string, TopicConfig> _topics = new(StringComparer.Ordinal);
    private long _version;

    /// <inheritdoc />
    public Task<bool> TryCreateAsync(TopicConfig topic, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(topic);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_topics.TryAdd(topic.Name, topic with { Version = NextVersion() }));
    }

    /// <inheritdoc />
    public Task<TopicConfig?> GetAsync(string name, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_topics.GetValueOrDefault(name));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<TopicConfig>> ListAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<TopicConfig> result = [.. _topics.Values.OrderBy(t => t.Name, StringComparer.Ordinal)];
        return Task.FromResult(result);
    }

    /// <inheritdoc />
    public Task<bool> TryReplaceAsync(TopicConfig topic, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(topic);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_topics.TryGetValue(topic.Name, out TopicConfig? stored) && stored.Version == topic.Version
            && _topics.TryUpdate(topic.Name, topic with { Version = NextVersion() }, stored));
    }

    /// <inheritdoc />
    public Task<bool> TryDeleteAsync(TopicConfig topic, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(topic);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_topics.TryGetValue(topic.Name, out TopicConfig? stored) && stored.Version == topic.Version
            && _topics.TryRemove(new KeyValuePair<string, TopicConfig>(topic.Name, stored)));
    }

    private string NextVersion() => Interlocked.Increment(ref _version).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
