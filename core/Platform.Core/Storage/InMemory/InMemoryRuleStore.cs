namespace Platform.Core.Storage.InMemory;

/// <summary>Rule groups in memory.</summary>
public sealed class InMemoryRuleStore : IRuleStore
{
    private readonly Dictionary<string, StoredRuleGroup> _groups = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredRuleGroup>> ListAsync(CancellationToken cancellationToken)
    {
        lock (_gate) return Task.FromResult<IReadOnlyList<StoredRuleGroup>>([.. _groups.Values.OrderBy(g => g.Name, StringComparer.Ordinal)]);
    }

    /// <inheritdoc />
    public Task PutAsync(StoredRuleGroup group, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(group);
        lock (_gate) _groups[group.Name] = group;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        lock (_gate) return Task.FromResult(_groups.Remove(name));
    }
}
