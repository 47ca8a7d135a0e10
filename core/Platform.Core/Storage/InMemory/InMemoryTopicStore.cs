using System.Collections.Concurrent;
using Platform.Core.Log.Topics;

namespace Platform.Core.Storage.InMemory;

/// <summary>Topic metadata in memory.</summary>
public sealed class InMemoryTopicStore : ITopicStore
{
    private readonly ConcurrentDictionary<string, TopicConfig> _topics = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task<bool> TryCreateAsync(TopicConfig topic, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(topic);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_topics.TryAdd(topic.Name, topic));
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
}
