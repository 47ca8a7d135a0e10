namespace Platform.Core.Storage;

/// <summary>A rule group as uploaded: its name, its rule-file text (one group), and when it changed (Unix ms).</summary>
public sealed record StoredRuleGroup(string Name, string Source, long Updated);

/// <summary>Where rule groups are kept, by name.</summary>
public interface IRuleStore
{
    /// <summary>Every group.</summary>
    Task<IReadOnlyList<StoredRuleGroup>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Creates or replaces a group.</summary>
    Task PutAsync(StoredRuleGroup group, CancellationToken cancellationToken);

    /// <summary>Deletes a group; false when there was none.</summary>
    Task<bool> DeleteAsync(string name, CancellationToken cancellationToken);
}
