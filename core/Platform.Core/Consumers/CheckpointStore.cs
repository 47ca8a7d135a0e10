using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Platform.Core.Log;
using Platform.Core.Storage;

namespace Platform.Core.Consumers;

/// <summary>A committed offset and the ETag it was read with.</summary>
public sealed record Checkpoint(long Offset, ETag ETag);

/// <summary>
/// Committed offsets of consumer groups: table <c>{prefix}consumergroups</c>, PartitionKey = group, RowKey =
/// <c>o:{topic}:{partition:D5}</c>. A job's own result entities may live under the same PartitionKey, so that
/// results and offset commit in one transaction (exactly-once results).
/// </summary>
public sealed class CheckpointStore(TableClient table) : IProvisionedStore
{
    /// <summary>The table, for jobs that commit results beside the offset.</summary>
    public TableClient Table => table;

    /// <inheritdoc />
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken) =>
        await table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>RowKey of a partition's offset.</summary>
    public static string RowKey(TopicPartition tp) => string.Create(CultureInfo.InvariantCulture, $"o:{tp.Topic}:{tp.Partition:D5}");

    /// <summary>The committed offset (the next offset to read), or null when the group has none.</summary>
    public async Task<Checkpoint?> GetAsync(string group, TopicPartition tp, CancellationToken cancellationToken)
    {
        NullableResponse<TableEntity> r = await table.GetEntityIfExistsAsync<TableEntity>(group, RowKey(tp), cancellationToken: cancellationToken).ConfigureAwait(false);
        return r.HasValue && r.Value is { } e ? new Checkpoint(e.GetInt64("Offset") ?? 0, e.ETag) : null;
    }

    /// <summary>
    /// Commits <paramref name="offset"/> if the checkpoint is still the one read (<paramref name="expected"/>; null: none yet),
    /// together with <paramref name="results"/> (same PartitionKey) in one transaction. Null when someone else
    /// changed it (an offset reset, another owner): the caller re-reads.
    /// </summary>
    public async Task<Checkpoint?> TryCommitAsync(string group, TopicPartition tp, long offset, Checkpoint? expected, IReadOnlyList<TableTransactionAction>? results, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(group, RowKey(tp)) { ["Offset"] = offset, ["Topic"] = tp.Topic, ["Partition"] = tp.Partition };
        var actions = new List<TableTransactionAction>(results ?? [])
        {
            expected is null
                ? new TableTransactionAction(TableTransactionActionType.Add, entity)
                : new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, expected.ETag),
        };
        try
        {
            Response<IReadOnlyList<Response>> response = await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
            return new Checkpoint(offset, response.Value[^1].Headers.ETag ?? ETag.All);
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412 && ex.FailedTransactionActionIndex == actions.Count - 1)
        {
            return null;
        }
    }

    /// <summary>Sets a group's offset unconditionally (offset reset).</summary>
    public async Task SetAsync(string group, TopicPartition tp, long offset, CancellationToken cancellationToken) =>
        await table.UpsertEntityAsync(new TableEntity(group, RowKey(tp)) { ["Offset"] = offset, ["Topic"] = tp.Topic, ["Partition"] = tp.Partition }, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
}
