using System.Globalization;
using Platform.Core.Alerting.Evaluation;

namespace Platform.Core.Storage.InMemory;

/// <summary>Alert state in memory, with the same version rule as the table.</summary>
public sealed class InMemoryAlertStateStore : IAlertStateStore
{
    private readonly Dictionary<string, (byte[] State, long Version)> _groups = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private long _version;

    /// <inheritdoc />
    public Task<VersionedGroupState?> LoadAsync(string group, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_groups.TryGetValue(group, out var held)
                ? new VersionedGroupState(GroupState.FromBytes(held.State), held.Version.ToString(CultureInfo.InvariantCulture))
                : null);
        }
    }

    /// <inheritdoc />
    public Task<string?> TrySaveAsync(string group, GroupState state, string? version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        lock (_gate)
        {
            var current = _groups.TryGetValue(group, out var held) ? held.Version.ToString(CultureInfo.InvariantCulture) : null;
            if (current != version) return Task.FromResult<string?>(null);
            _groups[group] = (state.ToBytes(), ++_version);
            return Task.FromResult<string?>(_version.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <inheritdoc />
    public Task DeleteAsync(string group, CancellationToken cancellationToken)
    {
        lock (_gate) _groups.Remove(group);
        return Task.CompletedTask;
    }
}
