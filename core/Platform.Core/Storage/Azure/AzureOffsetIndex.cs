using Azure;
using Azure.Data.Tables;
using Platform.Core.Log;

namespace Platform.Core.Storage.Azure;

/// <summary>
/// Offset index (RowKey = last offset of a batch, zero-padded) and time index (RowKey = append time,
/// then last offset) in two tables, PartitionKey <c>{topic}:{partition:D5}</c>.
/// </summary>
public sealed class AzureOffsetIndex(TableClient offsets, TableClient times) : IOffsetIndex, IProvisionedStore
{
    private const int TransactionLimit = 100;

    /// <inheritdoc />
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        await offsets.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
        await times.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task AddAsync(TopicPartition partition, IReadOnlyList<BatchIndexEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        string pk = StorageNames.PartitionKey(partition);
        for (int start = 0; start < entries.Count; start += TransactionLimit)
        {
            int end = Math.Min(start + TransactionLimit, entries.Count);
            var offsetActions = new List<TableTransactionAction>(end - start);
            var timeActions = new List<TableTransactionAction>(end - start);
            for (int i = start; i < end; i++)
            {
                BatchIndexEntry e = entries[i];
                offsetActions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(pk, StorageNames.OrderedKey(e.LastOffset), e)));
                timeActions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(pk, StorageNames.TimeKey(e.AppendTime, e.LastOffset), e)));
            }

            await offsets.SubmitTransactionAsync(offsetActions, cancellationToken).ConfigureAwait(false);
            await times.SubmitTransactionAsync(timeActions, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public Task<BatchIndexEntry?> FindByOffsetAsync(TopicPartition partition, long offset, CancellationToken cancellationToken) =>
        FirstAtOrAfterAsync(offsets, partition, StorageNames.OrderedKey(offset), cancellationToken);

    /// <inheritdoc />
    public Task<BatchIndexEntry?> FindByTimeAsync(TopicPartition partition, long appendTime, CancellationToken cancellationToken) =>
        FirstAtOrAfterAsync(times, partition, StorageNames.TimeKey(Math.Max(0, appendTime), 0), cancellationToken);

    /// <inheritdoc />
    public async Task ReplaceAsync(TopicPartition partition, IndexSpan span, IReadOnlyList<BatchIndexEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        await AddAsync(partition, entries, cancellationToken).ConfigureAwait(false);
        string pk = StorageNames.PartitionKey(partition);
        var offsetKeys = entries.Select(e => StorageNames.OrderedKey(e.LastOffset)).ToHashSet(StringComparer.Ordinal);
        var timeKeys = entries.Select(e => StorageNames.TimeKey(e.AppendTime, e.LastOffset)).ToHashSet(StringComparer.Ordinal);
        string from = StorageNames.OrderedKey(span.FromOffset), to = StorageNames.OrderedKey(span.ToOffset);
        await DeleteAsync(offsets, TableClient.CreateQueryFilter($"PartitionKey eq {pk} and RowKey ge {from} and RowKey lt {to}"), offsetKeys, cancellationToken).ConfigureAwait(false);
        string earliest = StorageNames.TimeKey(span.FromTime, 0), latest = StorageNames.TimeKey(span.ToTime, long.MaxValue);
        await DeleteAsync(times, TableClient.CreateQueryFilter($"PartitionKey eq {pk} and RowKey ge {earliest} and RowKey le {latest} and LastOffset ge {span.FromOffset} and LastOffset lt {span.ToOffset}"), timeKeys, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task DeleteBeforeAsync(TopicPartition partition, long offset, CancellationToken cancellationToken)
    {
        string pk = StorageNames.PartitionKey(partition);
        // Offset index: RowKey is the batch's last offset. Time index: by the LastOffset property, within the append
        // times of the rows just deleted (append times only grow along a partition, so the scan stays that short).
        long newest = await DeleteAsync(offsets, TableClient.CreateQueryFilter($"PartitionKey eq {pk} and RowKey lt {StorageNames.OrderedKey(offset)}"), cancellationToken).ConfigureAwait(false);
        if (newest >= 0)
        {
            string upTo = StorageNames.TimeKey(newest, long.MaxValue);
            await DeleteAsync(times, TableClient.CreateQueryFilter($"PartitionKey eq {pk} and RowKey le {upTo} and LastOffset lt {offset}"), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task ClearAsync(TopicPartition partition, CancellationToken cancellationToken)
    {
        // Both tables by PartitionKey, each on its own: a run cut short between them is finished by the next.
        string filter = TableClient.CreateQueryFilter($"PartitionKey eq {StorageNames.PartitionKey(partition)}");
        await DeleteAsync(times, filter, cancellationToken).ConfigureAwait(false);
        await DeleteAsync(offsets, filter, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes what the filter finds; returns the newest append time among them, or -1 when none.</summary>
    private static async Task<long> DeleteAsync(TableClient table, string filter, CancellationToken cancellationToken) =>
        await DeleteAsync(table, filter, keep: null, cancellationToken).ConfigureAwait(false);

    private static async Task<long> DeleteAsync(TableClient table, string filter, HashSet<string>? keep, CancellationToken cancellationToken)
    {
        long newest = -1;
        var rows = new List<ITableEntity>();
        await foreach (TableEntity e in table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey", "AppendTime"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (keep?.Contains(e.RowKey) == true)
            {
                continue;
            }

            newest = Math.Max(newest, e.GetInt64("AppendTime") ?? 0);
            rows.Add(e);
        }

        await TableDeletes.DeleteAsync(table, rows, cancellationToken).ConfigureAwait(false);
        return newest;
    }

    private static async Task<BatchIndexEntry?> FirstAtOrAfterAsync(TableClient table, TopicPartition partition, string rowKey, CancellationToken cancellationToken)
    {
        string filter = TableClient.CreateQueryFilter($"PartitionKey eq {StorageNames.PartitionKey(partition)} and RowKey ge {rowKey}");
        AsyncPageable<TableEntity> query = table.QueryAsync<TableEntity>(filter, maxPerPage: 1, cancellationToken: cancellationToken);
        await foreach (TableEntity entity in query.ConfigureAwait(false))
        {
            return FromEntity(entity);
        }

        return null;
    }

    private static TableEntity ToEntity(string pk, string rowKey, BatchIndexEntry e) => new(pk, rowKey)
    {
        ["BaseOffset"] = e.BaseOffset,
        ["LastOffset"] = e.LastOffset,
        ["Segment"] = e.SegmentBaseOffset,
        ["Position"] = e.Position,
        ["Length"] = e.Length,
        ["AppendTime"] = e.AppendTime,
        ["Generation"] = e.Generation,
    };

    private static BatchIndexEntry FromEntity(TableEntity entity) => new(
        entity.GetInt64("BaseOffset") ?? throw Missing("BaseOffset"),
        entity.GetInt64("LastOffset") ?? throw Missing("LastOffset"),
        entity.GetInt64("Segment") ?? throw Missing("Segment"),
        entity.GetInt64("Position") ?? throw Missing("Position"),
        entity.GetInt32("Length") ?? throw Missing("Length"),
        entity.GetInt64("AppendTime") ?? throw Missing("AppendTime"),
        entity.GetInt32("Generation") ?? 0);

    private static InvalidDataException Missing(string property) =>
        new($"An index entity lacks its '{property}' property; rebuild the index from the segments.");
}
