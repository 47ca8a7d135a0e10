using System.Collections.Concurrent;
using System.Globalization;
using Platform.Core.Storage;

namespace Platform.Core.Log.Topics;

/// <summary>Creates, lists and describes topics; caches their configuration for the hot paths.</summary>
public sealed class TopicManager(ITopicStore store, TimeProvider time, TopicPlacement? placement = null)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, (TopicConfig Config, long Until)> _cache = new(StringComparer.Ordinal);

    /// <summary>Creates a topic after checking its name and settings.</summary>
    /// <exception cref="LogException">Invalid settings (<see cref="LogErrorKind.InvalidRequest"/>) or the name is taken (<see cref="LogErrorKind.TopicAlreadyExists"/>).</exception>
    public async Task<TopicConfig> CreateAsync(TopicConfig topic, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(topic);
        string? problem = Validate(topic);
        if (problem is not null)
        {
            throw new LogException(LogErrorKind.InvalidRequest, problem);
        }

        TopicConfig stored = topic with
        {
            CreatedAt = time.GetUtcNow().ToUnixTimeMilliseconds(),
            SegmentAccounts = topic.SegmentAccounts ?? placement?.Assign(topic.Name, topic.Partitions),
        };
        if (!await store.TryCreateAsync(stored, cancellationToken).ConfigureAwait(false))
        {
            throw await store.GetAsync(topic.Name, cancellationToken).ConfigureAwait(false) is { DeletedAt: > 0 }
                ? new LogException(LogErrorKind.TopicAlreadyExists, $"Topic '{topic.Name}' was deleted and its data is being removed; the name can be used again once that is done (a few minutes).")
                : new LogException(LogErrorKind.TopicAlreadyExists, $"Topic '{topic.Name}' already exists.");
        }

        return stored;
    }

    /// <summary>Creates the topic when it does not exist yet (another instance creating it first is fine); answers its settings.</summary>
    public async Task<TopicConfig> EnsureAsync(TopicConfig topic, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(topic);
        if (await FindAsync(topic.Name, cancellationToken).ConfigureAwait(false) is { } existing) return existing;
        try
        {
            return await CreateAsync(topic, cancellationToken).ConfigureAwait(false);
        }
        catch (LogException e) when (e.Kind == LogErrorKind.TopicAlreadyExists)
        {
            return await GetAsync(topic.Name, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The topic's configuration, or null.</summary>
    public async Task<TopicConfig?> FindAsync(string name, CancellationToken cancellationToken)
    {
        long now = time.GetTimestamp();
        if (_cache.TryGetValue(name, out var cached) && cached.Until > now)
        {
            return cached.Config;
        }

        TopicConfig? config = await store.GetAsync(name, cancellationToken).ConfigureAwait(false);
        if (config is { DeletedAt: > 0 })
        {
            _cache.TryRemove(name, out _);
            return null;
        }

        if (config is not null)
        {
            _cache[name] = (config, now + (long)(CacheFor.TotalSeconds * time.TimestampFrequency));
        }

        return config;
    }

    /// <summary>The topic's stored row as it is now (no cache), deleted or not; null when there is none.</summary>
    public Task<TopicConfig?> FindStoredAsync(string name, CancellationToken cancellationToken) => store.GetAsync(name, cancellationToken);

    /// <summary>The topic's configuration.</summary>
    /// <exception cref="TopicNotFoundException">No such topic.</exception>
    public async Task<TopicConfig> GetAsync(string name, CancellationToken cancellationToken) =>
        await FindAsync(name, cancellationToken).ConfigureAwait(false) ?? throw new TopicNotFoundException(name);

    /// <summary>All live topics, by name.</summary>
    public async Task<IReadOnlyList<TopicConfig>> ListAsync(CancellationToken cancellationToken) =>
        [.. (await store.ListAsync(cancellationToken).ConfigureAwait(false)).Where(t => t.DeletedAt == 0)];

    /// <summary>Topics deleted whose data may still be there, by name.</summary>
    public async Task<IReadOnlyList<TopicConfig>> ListDeletedAsync(CancellationToken cancellationToken) =>
        [.. (await store.ListAsync(cancellationToken).ConfigureAwait(false)).Where(t => t.DeletedAt > 0)];

    /// <summary>
    /// Changes a topic's settings (Kafka's <c>alter configs</c>): <paramref name="change"/> is applied to the stored
    /// settings and the result checked like a new topic's; a concurrent change makes it start again from the new row.
    /// The number of partitions, the name and the placement cannot change.
    /// </summary>
    /// <exception cref="TopicNotFoundException">No such topic.</exception>
    /// <exception cref="LogException">The changed settings are invalid (<see cref="LogErrorKind.InvalidRequest"/>).</exception>
    public async Task<TopicConfig> UpdateAsync(string name, Func<TopicConfig, TopicConfig> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        while (true)
        {
            TopicConfig current = await store.GetAsync(name, cancellationToken).ConfigureAwait(false) is { DeletedAt: 0 } live ? live : throw new TopicNotFoundException(name);
            TopicConfig changed = change(current);
            if (changed.Partitions != current.Partitions)
            {
                throw new LogException(LogErrorKind.InvalidRequest, string.Create(CultureInfo.InvariantCulture, $"The number of partitions cannot change (it is {current.Partitions}): keyed records would move to other partitions. Create a new topic and copy into it."));
            }

            changed = changed with { Name = current.Name, SegmentAccounts = current.SegmentAccounts, CreatedAt = current.CreatedAt, DeletedAt = 0, Version = current.Version };
            if (Validate(changed) is { } problem)
            {
                throw new LogException(LogErrorKind.InvalidRequest, problem);
            }

            if (await store.TryReplaceAsync(changed, cancellationToken).ConfigureAwait(false))
            {
                _cache.TryRemove(name, out _);
                return changed with { Version = null };
            }
        }
    }

    /// <summary>
    /// Deletes a topic: at once it is gone for clients (this instance at once, others within their 30 s cache); its
    /// segments, index rows, keyed view and group offsets are removed by <see cref="TopicDeleter"/> after a grace period.
    /// </summary>
    /// <exception cref="TopicNotFoundException">No such topic.</exception>
    public async Task<TopicConfig> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        while (true)
        {
            TopicConfig current = await store.GetAsync(name, cancellationToken).ConfigureAwait(false) is { DeletedAt: 0 } live ? live : throw new TopicNotFoundException(name);
            TopicConfig deleted = current with { DeletedAt = time.GetUtcNow().ToUnixTimeMilliseconds() };
            if (await store.TryReplaceAsync(deleted, cancellationToken).ConfigureAwait(false))
            {
                _cache.TryRemove(name, out _);
                return deleted with { Version = null };
            }
        }
    }

    /// <summary>Removes a deleted topic's row once its data is gone, so that the name can be used again.</summary>
    public async Task<bool> ForgetAsync(TopicConfig deleted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deleted);
        return deleted.DeletedAt > 0 && await store.TryDeleteAsync(deleted, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Null when the topic's settings are valid, otherwise why not.</summary>
    public static string? Validate(TopicConfig topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        return TopicName.Validate(topic.Name)
            ?? (topic.Partitions is < 1 or > TopicName.MaxPartitions ? string.Create(CultureInfo.InvariantCulture, $"Partitions must be between 1 and {TopicName.MaxPartitions}; got {topic.Partitions}.") : null)
            ?? (topic.RetentionMs is < -1 or 0 ? "RetentionMs must be positive, or -1 to keep records forever." : null)
            ?? (topic.RetentionBytes is < -1 or 0 ? "RetentionBytes must be positive, or -1 for no limit." : null)
            ?? (!Enum.IsDefined(topic.CleanupPolicy) ? "CleanupPolicy must be delete, compact or compact,delete." : null)
            ?? (topic.SegmentMs is < -1 or 0 ? "SegmentMs must be positive, or -1 to roll by size only." : null)
            ?? (topic.MinCompactionLagMs < 0 ? "MinCompactionLagMs must be 0 or more." : null)
            ?? (topic.MaxCompactionLagMs is < -1 or 0 ? "MaxCompactionLagMs must be positive, or -1 for no bound." : null)
            ?? (topic.MaxCompactionLagMs > 0 && topic.MaxCompactionLagMs < topic.MinCompactionLagMs ? "MaxCompactionLagMs must not be below MinCompactionLagMs." : null)
            ?? (topic.DeleteRetentionMs < 0 ? "DeleteRetentionMs must be 0 or more." : null)
            ?? (topic.MinCleanableDirtyRatio is not (>= 0 and <= 1) || double.IsNaN(topic.MinCleanableDirtyRatio) ? "MinCleanableDirtyRatio must be between 0 and 1." : null)
            ?? (!Enum.IsDefined(topic.Compression) ? "Compression must be none, gzip or zstd." : null)
            ?? (topic.MaxRecordBytes is < 1 or > TopicConfig.MaxMaxRecordBytes ? "MaxRecordBytes must be between 1 byte and 64 MiB." : null);
    }
}
