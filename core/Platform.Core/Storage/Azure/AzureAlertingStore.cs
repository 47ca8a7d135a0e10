using Azure;
using Azure.Data.Tables;
using Platform.Core.Alerting.Evaluation;

namespace Platform.Core.Storage.Azure;

/// <summary>
/// Rule groups and their alert state in table <c>{prefix}alerting</c>: PartitionKey <c>rules</c> or <c>state</c>,
/// RowKey = SHA-256 of the group name in hex (names may hold characters keys may not); the group's text as a string
/// property (up to 32,000 characters), its state as gzip'd JSON in binary properties, written on the ETag.
/// </summary>
public sealed class AzureAlertingStore(TableClient table) : IRuleStore, IAlertStateStore, IProvisionedStore
{
    private const string Rules = "rules";
    private const string State = "state";

    /// <inheritdoc />
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken) => await table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredRuleGroup>> ListAsync(CancellationToken cancellationToken)
    {
        var groups = new List<StoredRuleGroup>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Rules}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            groups.Add(new StoredRuleGroup(e.GetString("Name") ?? "", e.GetString("Source") ?? "", e.GetInt64("Updated") ?? 0));
        }
        return [.. groups.OrderBy(g => g.Name, StringComparer.Ordinal)];
    }

    /// <inheritdoc />
    public async Task PutAsync(StoredRuleGroup group, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(group);
        var entity = new TableEntity(Rules, Key(group.Name)) { ["Name"] = group.Name, ["Source"] = group.Source, ["Updated"] = group.Updated };
        await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        return await TableDeletes.DeleteIfExistsAsync(table, Rules, Key(name), ETag.All, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<VersionedGroupState?> LoadAsync(string group, CancellationToken cancellationToken)
    {
        var found = await table.GetEntityIfExistsAsync<TableEntity>(State, Key(group), cancellationToken: cancellationToken).ConfigureAwait(false);
        return found.HasValue && found.Value is { } e ? new VersionedGroupState(GroupState.FromBytes(TableBinary.Read(e)), e.ETag.ToString()) : null;
    }

    /// <inheritdoc />
    public async Task<string?> TrySaveAsync(string group, GroupState state, string? version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var entity = new TableEntity(State, Key(group)) { ["Name"] = group };
        TableBinary.Write(entity, state.ToBytes());
        return await TableWrites.TryWriteAsync(table, entity, version, "a rule group's state", cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    async Task IAlertStateStore.DeleteAsync(string group, CancellationToken cancellationToken)
    {
        try
        {
            await table.DeleteEntityAsync(State, Key(group), ETag.All, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
    }

    private static string Key(string text) => StorageNames.HashedKey(text);
}
