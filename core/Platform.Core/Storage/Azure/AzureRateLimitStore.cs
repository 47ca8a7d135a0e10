using Azure.Data.Tables;

namespace Platform.Core.Storage.Azure;

/// <summary>Rate limiter state in table <c>{prefix}notificationrates</c>: PartitionKey <c>rate-{hash of the key}</c>, RowKey <c>r</c>.</summary>
public sealed class AzureRateLimitStore(TableClient table) : IRateLimitStore, IProvisionedStore
{
    /// <inheritdoc />
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken) => await table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<(long[] Recent, string? Version)> GetAsync(string key, CancellationToken cancellationToken)
    {
        var found = await table.GetEntityIfExistsAsync<TableEntity>(Partition(key), "r", cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!found.HasValue || found.Value is not { } e) return ([], null);
        var bytes = e.GetBinary("Recent") ?? [];
        return (System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(bytes).ToArray(), e.ETag.ToString());
    }

    /// <inheritdoc />
    public async Task<bool> TryPutAsync(string key, long[] recent, string? version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recent);
        var entity = new TableEntity(Partition(key), "r") { ["Recent"] = System.Runtime.InteropServices.MemoryMarshal.AsBytes(recent.AsSpan()).ToArray() };
        return await TableWrites.TryWriteAsync(table, entity, version, "a rate limit", cancellationToken).ConfigureAwait(false) is not null;
    }

    private static string Partition(string key) => "rate-" + StorageNames.HashedKey(key);
}
