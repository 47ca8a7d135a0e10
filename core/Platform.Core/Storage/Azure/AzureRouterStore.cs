using Azure;
using Azure.Data.Tables;
using Platform.Core.Alerting.Routing;

namespace Platform.Core.Storage.Azure;

/// <summary>
/// The router's state in table <c>{prefix}router</c>: PartitionKey <c>config</c> (the configuration's text),
/// <c>group</c> (RowKey = hash of the group key; the group as gzip'd JSON in binary properties, written on its ETag)
/// and <c>silence</c> (RowKey = id).
/// </summary>
public sealed class AzureRouterStore(TableClient table) : IRouterStore, IProvisionedStore
{
    /// <inheritdoc />
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken) => await table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<string?> GetConfigAsync(CancellationToken cancellationToken)
    {
        var found = await table.GetEntityIfExistsAsync<TableEntity>("config", "config", cancellationToken: cancellationToken).ConfigureAwait(false);
        return found.HasValue && found.Value is { } e ? e.GetString("Source") : null;
    }

    /// <inheritdoc />
    public async Task PutConfigAsync(string source, CancellationToken cancellationToken) =>
        await table.UpsertEntityAsync(new TableEntity("config", "config") { ["Source"] = source }, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<IReadOnlyList<(NotificationGroup Group, string Version)>> ListGroupsAsync(CancellationToken cancellationToken)
    {
        var groups = new List<(NotificationGroup, string)>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {"group"}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            groups.Add((RouterJson.FromBytes<NotificationGroup>(TableBinary.Read(e)), e.ETag.ToString()));
        }
        return groups;
    }

    /// <inheritdoc />
    public async Task<(NotificationGroup Group, string Version)?> GetGroupAsync(string key, CancellationToken cancellationToken)
    {
        var found = await table.GetEntityIfExistsAsync<TableEntity>("group", Key(key), cancellationToken: cancellationToken).ConfigureAwait(false);
        return found.HasValue && found.Value is { } e ? (RouterJson.FromBytes<NotificationGroup>(TableBinary.Read(e)), e.ETag.ToString()) : null;
    }

    /// <inheritdoc />
    public async Task<string?> TrySaveGroupAsync(NotificationGroup group, string? version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(group);
        var entity = new TableEntity("group", Key(group.Key));
        TableBinary.Write(entity, RouterJson.ToBytes(group));
        return await TableWrites.TryWriteAsync(table, entity, version, "a notification group", cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> TryDeleteGroupAsync(string key, string version, CancellationToken cancellationToken)
    {
        try
        {
            return await TableDeletes.DeleteIfExistsAsync(table, "group", Key(key), new ETag(version), cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Silence>> ListSilencesAsync(CancellationToken cancellationToken)
    {
        var silences = new List<Silence>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {"silence"}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            silences.Add(RouterJson.FromBytes<Silence>(TableBinary.Read(e)));
        }
        return silences;
    }

    /// <inheritdoc />
    public async Task PutSilenceAsync(Silence silence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(silence);
        var entity = new TableEntity("silence", silence.Id);
        TableBinary.Write(entity, RouterJson.ToBytes(silence));
        await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    private static string Key(string text) => StorageNames.HashedKey(text);
}
