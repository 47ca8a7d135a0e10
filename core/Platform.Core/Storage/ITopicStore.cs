using Platform.Core.Log.Topics;

namespace Platform.Core.Storage;

/// <summary>Topic metadata: a table in Azure.</summary>
public interface ITopicStore
{
    /// <summary>Stores a new topic; false if one of that name exists.</summary>
    Task<bool> TryCreateAsync(TopicConfig topic, CancellationToken cancellationToken);

    /// <summary>The topic, or null.</summary>
    Task<TopicConfig?> GetAsync(string name, CancellationToken cancellationToken);

    /// <summary>All topics, by name.</summary>
    Task<IReadOnlyList<TopicConfig>> ListAsync(CancellationToken cancellationToken);
}
