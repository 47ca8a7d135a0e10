using Platform.Core.Log.Topics;

namespace Platform.Core.Storage;

/// <summary>Topic metadata: a table in Azure.</summary>
public interface ITopicStore
{
    /// <summary>Stores a new topic; false if one of that name exists.</summary>
    Task<bool> TryCreateAsync(TopicConfig topic, CancellationToken cancellationToken);

    /// <summary>The topic, or null.</summary>
    Task<TopicConfig?> GetAsync(string name, CancellationToken cancellationToken);

    /// <summary>All topics (deleted ones too), by name.</summary>
    Task<IReadOnlyList<TopicConfig>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Replaces the topic if its stored version is still <see cref="TopicConfig.Version"/>; false when it changed or is gone.</summary>
    Task<bool> TryReplaceAsync(TopicConfig topic, CancellationToken cancellationToken);

    /// <summary>Removes the topic's row if its stored version is still <see cref="TopicConfig.Version"/>; false when it changed or is gone.</summary>
    Task<bool> TryDeleteAsync(TopicConfig topic, CancellationToken cancellationToken);
}
