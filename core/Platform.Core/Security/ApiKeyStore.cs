using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Platform.Core.Storage;

namespace Platform.Core.Security;

/// <summary>API keys in a table: PartitionKey <c>key</c>, RowKey the key id, the secret only as a SHA-256 hash.</summary>
public sealed class ApiKeyStore(TableClient table) : IProvisionedStore
{
    private const string PartitionKey = "key";

    /// <inheritdoc />
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken) =>
        await table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Stores a new key.</summary>
    public async Task AddAsync(ApiKeyInfo key, string secretHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var entity = new TableEntity(PartitionKey, key.Id)
        {
            ["Name"] = key.Name,
            ["Hash"] = secretHash,
            ["Grants"] = JsonSerializer.Serialize(key.Grants),
            ["CreatedAt"] = key.CreatedAt,
        };
        await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The key and its secret's hash, or null.</summary>
    public async Task<(ApiKeyInfo Key, string Hash)?> FindAsync(string id, CancellationToken cancellationToken)
    {
        NullableResponse<TableEntity> response = await table.GetEntityIfExistsAsync<TableEntity>(PartitionKey, id, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue && response.Value is { } e ? (FromEntity(e), e.GetString("Hash") ?? string.Empty) : null;
    }

    /// <summary>Every key, without secrets.</summary>
    public async Task<IReadOnlyList<ApiKeyInfo>> ListAsync(CancellationToken cancellationToken)
    {
        var keys = new List<ApiKeyInfo>();
        await foreach (TableEntity e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {PartitionKey}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            keys.Add(FromEntity(e));
        }

        return keys;
    }

    /// <summary>Deletes a key; false if there was none.</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        return await Storage.Azure.TableDeletes.DeleteIfExistsAsync(table, PartitionKey, id, ETag.All, cancellationToken).ConfigureAwait(false);
    }

    private static ApiKeyInfo FromEntity(TableEntity e) => new(
        e.RowKey,
        e.GetString("Name") ?? string.Empty,
        JsonSerializer.Deserialize<TopicGrant[]>(e.GetString("Grants") ?? "[]") ?? [],
        e.GetInt64("CreatedAt") ?? 0);
}
