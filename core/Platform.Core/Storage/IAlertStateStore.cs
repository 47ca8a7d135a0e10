using Platform.Core.Alerting.Evaluation;

namespace Platform.Core.Storage;

/// <summary>A group's state with the version it was read at.</summary>
public sealed record VersionedGroupState(GroupState State, string Version);

/// <summary>
/// Alert state per rule group, written only at the version it was read at: two instances evaluating the same group
/// at once cannot both save, and the one that loses sends nothing (a lost race is a value, not an exception).
/// </summary>
public interface IAlertStateStore
{
    /// <summary>The group's state, or null before its first evaluation.</summary>
    Task<VersionedGroupState?> LoadAsync(string group, CancellationToken cancellationToken);

    /// <summary>Saves if still at <paramref name="version"/> (null: must not exist yet); the new version, or null when another writer won.</summary>
    Task<string?> TrySaveAsync(string group, GroupState state, string? version, CancellationToken cancellationToken);

    /// <summary>Forgets a group's state.</summary>
    Task DeleteAsync(string group, CancellationToken cancellationToken);
}
