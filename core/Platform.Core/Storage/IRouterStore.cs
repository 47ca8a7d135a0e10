using Platform.Core.Alerting.Routing;

namespace Platform.Core.Storage;

/// <summary>
/// The built-in router's state: its configuration, its aggregation groups (each written on its version, so only one
/// instance flushes or delivers a group at a time), and silences.
/// </summary>
public interface IRouterStore
{
    /// <summary>The configuration's text, or null when none is set (the router is off).</summary>
    Task<string?> GetConfigAsync(CancellationToken cancellationToken);

    /// <summary>Sets the configuration's text.</summary>
    Task PutConfigAsync(string source, CancellationToken cancellationToken);

    /// <summary>Every group with its version.</summary>
    Task<IReadOnlyList<(NotificationGroup Group, string Version)>> ListGroupsAsync(CancellationToken cancellationToken);

    /// <summary>One group with its version, or null.</summary>
    Task<(NotificationGroup Group, string Version)?> GetGroupAsync(string key, CancellationToken cancellationToken);

    /// <summary>Saves a group if still at <paramref name="version"/> (null: must not exist); the new version, or null when another writer won.</summary>
    Task<string?> TrySaveGroupAsync(NotificationGroup group, string? version, CancellationToken cancellationToken);

    /// <summary>Deletes a group if still at <paramref name="version"/>; false when another writer changed it.</summary>
    Task<bool> TryDeleteGroupAsync(string key, string version, CancellationToken cancellationToken);

    /// <summary>Every silence, expired ones included.</summary>
    Task<IReadOnlyList<Silence>> ListSilencesAsync(CancellationToken cancellationToken);

    /// <summary>Creates or replaces a silence.</summary>
    Task PutSilenceAsync(Silence silence, CancellationToken cancellationToken);
}
