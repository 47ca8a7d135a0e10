using Azure.Data.Tables;

namespace Platform.Core.Storage.Azure;

/// <summary>Rate limiter state in table <c>{prefix}notificationrates</c>: PartitionKey <c>rate-{hash of the key}</c>, RowKey <c>r</c>.</summary>
public sealed class AzureRateLimitStore(TableClient table) : IRateLimitStore, IProvisionedStore
{
    /// <inheritdoc />
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken) => await table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<(long? ArrivalTime, string? Version)> GetAsync(string key, CancellationToken cancellationToken)
    {
        var found = await table.GetEntityIfExistsAsync<TableEntity>(Partition(key), "r", cancellationToken: cancellationToken).ConfigureAwait(false);
        return found.HasValue && found.Value is { } e ? (e.GetInt64("ArrivalTime"), e.ETag.ToString()) : (null, null);
    }

    /// <inheritdoc />
    public async Task<bool> TryPutAsync(string key, long arrivalTime, string? version, CancellationToken cancellationToken) =>
        await TableWrites.TryWriteAsync(table, new TableEntity(Partition(key), "r") { ["ArrivalTime"] = arrivalTime }, version, "a rate limit", cancellationToken).ConfigureAwait(false) is not null;

    private static string Partition(string key) => "rate-" + StorageNames.HashedKey(key);
}
