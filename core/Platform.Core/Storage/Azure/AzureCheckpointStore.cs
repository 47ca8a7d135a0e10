using Azure;
using Azure.Data.Tables;
using Platform.Core.Consumers;
using Platform.Core.Log;

namespace Platform.Core.Storage.Azure;

/// <summary>
/// Committed offsets in table <c>{prefix}consumergroups</c>: PartitionKey = group, RowKey = <c>o:{topic}:{partition:D5}</c>.
/// A job's result rows live under the same PartitionKey, so results and offset commit in one entity group transaction.
/// </summary>
public sealed class AzureCheckpointStore(TableClient table) : ICheckpointStore, IProvisionedStore
{
    /// <inheritdoc />
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken) =>
        await table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<Checkpoint?> GetAsync(string group, TopicPartition partition, CancellationToken cancellationToken)
    {
        NullableResponse<TableEntity> r = await table.GetEntityIfExistsAsync<TableEntity>(group, StorageNames.CheckpointRowKey(partition), cancellationToken: cancellationToken).ConfigureAwait(false);
        return r.HasValue && r.Value is { } e ? new Checkpoint(e.GetInt64("Offset") ?? 0, TableVersion.Of(e.ETag, "a checkpoint")) : null;
    }

    /// <inheritdoc />
    public async Task<Checkpoint?> TryCommitAsync(string group, TopicPartition partition, long offset, Checkpoint? expected, IReadOnlyList<GroupResult>? results, CancellationToken cancellationToken)
    {
        var actions = new List<TableTransactionAction>((results?.Count ?? 0) + 1);
        foreach (GroupResult result in results ?? [])
        {
            StorageNames.CheckResultKey(result.Key);
            var entity = new TableEntity(group, result.Key);
            foreach ((string name, object? value) in result.Values)
            {
                entity[name] = value;
            }

            actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, entity));
        }

        TableEntity checkpoint = Entity(group, partition, offset);
        actions.Add(expected is null
            ? new TableTransactionAction(TableTransactionActionType.Add, checkpoint)
            : new TableTransactionAction(TableTransactionActionType.UpdateReplace, checkpoint, new ETag(expected.Version)));
        try
        {
            Response<IReadOnlyList<Response>> response = await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
            return new Checkpoint(offset, TableVersion.Of(response.Value[^1].Headers.ETag, "a checkpoint"));
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412 && ex.FailedTransactionActionIndex == actions.Count - 1)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task SetAsync(string group, TopicPartition partition, long offset, CancellationToken cancellationToken) =>
        await table.UpsertEntityAsync(Entity(group, partition, offset), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, object?>?> GetResultAsync(string group, string key, CancellationToken cancellationToken)
    {
        StorageNames.CheckResultKey(key);
        NullableResponse<TableEntity> r = await table.GetEntityIfExistsAsync<TableEntity>(group, key, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!r.HasValue || r.Value is not { } e)
        {
            return null;
        }

        return e.Keys.Where(k => k is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag")).ToDictionary(k => k, k => (object?)e[k]);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<GroupOffset> ListAsync(string? topic, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Offsets are the rows whose RowKey starts with "o:" (';' sorts right after ':'); result rows are skipped.
        string from = topic is null ? "o:" : $"o:{topic}:", to = topic is null ? "o;" : $"o:{topic};";
        string filter = TableClient.CreateQueryFilter($"RowKey ge {from} and RowKey lt {to}");
        await foreach (TableEntity e in table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey", "Offset"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            yield return new GroupOffset(e.PartitionKey, StorageNames.ParseCheckpointRowKey(e.RowKey), e.GetInt64("Offset") ?? 0);
        }
    }

    /// <inheritdoc />
    public async Task DeleteAsync(string group, TopicPartition partition, CancellationToken cancellationToken) =>
        await table.DeleteEntityAsync(group, StorageNames.CheckpointRowKey(partition), ETag.All, cancellationToken).ConfigureAwait(false);

    private static TableEntity Entity(string group, TopicPartition partition, long offset) =>
        new(group, StorageNames.CheckpointRowKey(partition)) { ["Offset"] = offset, ["Topic"] = partition.Topic, ["Partition"] = partition.Partition };
}
