using System.Globalization;
using Platform.Core.Alerting.Routing;

namespace Platform.Core.Storage.InMemory;

/// <summary>The router's state in memory, with the same version rules as the table.</summary>
public sealed class InMemoryRouterStore : IRouterStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (byte[] Group, long Version)> _groups = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Silence> _silences = new(StringComparer.Ordinal);
    private string? _config;
    private long _version;

    /// <inheritdoc />
    public Task<string?> GetConfigAsync(CancellationToken cancellationToken)
    {
        lock (_gate) return Task.FromResult(_config);
    }

    /// <inheritdoc />
    public Task PutConfigAsync(string source, CancellationToken cancellationToken)
    {
        lock (_gate) _config = source;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<(NotificationGroup Group, string Version)>> ListGroupsAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<(NotificationGroup, string)> all = [.. _groups.Values.Select(g => (RouterJson.FromBytes<NotificationGroup>(g.Group), V(g.Version)))];
            return Task.FromResult(all);
        }
    }

    /// <inheritdoc />
    public Task<(NotificationGroup Group, string Version)?> GetGroupAsync(string key, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<(NotificationGroup, string)?>(_groups.TryGetValue(key, out var g) ? (RouterJson.FromBytes<NotificationGroup>(g.Group), V(g.Version)) : null);
        }
    }

    /// <inheritdoc />
    public Task<string?> TrySaveGroupAsync(NotificationGroup group, string? version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(group);
        lock (_gate)
        {
            var current = _groups.TryGetValue(group.Key, out var held) ? V(held.Version) : null;
            if (current != version) return Task.FromResult<string?>(null);
            _groups[group.Key] = (RouterJson.ToBytes(group), ++_version);
            return Task.FromResult<string?>(V(_version));
        }
    }

    /// <inheritdoc />
    public Task<bool> TryDeleteGroupAsync(string key, string version, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_groups.TryGetValue(key, out var held) || V(held.Version) != version) return Task.FromResult(false);
            _groups.Remove(key);
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Silence>> ListSilencesAsync(CancellationToken cancellationToken)
    {
        lock (_gate) return Task.FromResult<IReadOnlyList<Silence>>([.. _silences.Values]);
    }

    /// <inheritdoc />
    public Task PutSilenceAsync(Silence silence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(silence);
        lock (_gate) _silences[silence.Id] = silence;
        return Task.CompletedTask;
    }

    private static string V(long version) => version.ToString(CultureInfo.InvariantCulture);
}
