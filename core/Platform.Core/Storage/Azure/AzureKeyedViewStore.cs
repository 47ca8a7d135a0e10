using Azure;
using Azure.Data.Tables;
using Platform.Core.Log;

namespace Platform.Core.Storage.Azure;

/// <summary>
/// The keyed view in one table: PartitionKey <c>{topic}:{partition:D5}</c>, RowKey the key in lower-case hex (so that
/// a key prefix is a RowKey prefix and order is bytewise; keys over 255 bytes go under <c>~h{sha256}</c> and are not
/// listed by prefix), and the position in row <c>~position</c> of the same partition, so that a chunk of changes and
/// the position move in one entity-group transaction.
/// </summary>
public sealed class AzureKeyedViewStore(TableClient table) : IKeyedViewStore, IProvisionedStore
{
    private const string PositionRow = "~position";
    private const int MaxHexKeyBytes = 255; // 510 hex characters: well inside the RowKey limit however it is counted

    /// <inheritdoc />
    public Task ClearAsync(TopicPartition partition, CancellationToken cancellationToken) =>
        TableDeletes.DeletePartitionAsync(table, StorageNames.PartitionKey(partition), cancellationToken);

    /// <inheritdoc />
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken) =>
        await table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<KeyedViewPosition?> GetPositionAsync(TopicPartition partition, CancellationToken cancellationToken)
    {
        NullableResponse<TableEntity> row = await table.GetEntityIfExistsAsync<TableEntity>(StorageNames.PartitionKey(partition), PositionRow, cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue ? new KeyedViewPosition(row.Value!.GetInt64("NextOffset") ?? 0, row.Value.ETag.ToString()) : null;
    }

    /// <inheritdoc />
    public async Task<KeyedViewPosition?> ApplyAsync(TopicPartition partition, IReadOnlyList<(byte[] Key, KeyedEntry? Entry)> changes, long nextOffset, KeyedViewPosition? expected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(changes.Count, IKeyedViewStore.MaxChangesPerApply);
        string pk = StorageNames.PartitionKey(partition);
        var actions = new List<TableTransactionAction>(changes.Count + 1);
        foreach ((byte[] key, KeyedEntry? entry) in changes)
        {
            actions.Add(entry is null
                ? new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(pk, RowKey(key)), ETag.All)
                : new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(pk, entry)));
        }

        var position = new TableEntity(pk, PositionRow) { ["NextOffset"] = nextOffset };
        actions.Add(expected is null
            ? new TableTransactionAction(TableTransactionActionType.Add, position)
            : new TableTransactionAction(TableTransactionActionType.UpdateReplace, position, new ETag(expected.Version)));
        while (true)
        {
            try
            {
                Response<IReadOnlyList<Response>> response = await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
                return new KeyedViewPosition(nextOffset, response.Value[^1].Headers.ETag?.ToString() ?? throw new InvalidOperationException("The table answered without an ETag."));
            }
            catch (TableTransactionFailedException ex) when (ex.FailedTransactionActionIndex is { } failed && failed < actions.Count - 1
                && actions[failed].ActionType == TableTransactionActionType.Delete && ex.Status == 404)
            {
                actions.RemoveAt(failed); // removing a key the view does not hold: nothing to do for that one
            }
            catch (TableTransactionFailedException ex) when (ex.FailedTransactionActionIndex == actions.Count - 1 && ex.Status is 409 or 412 or 404)
            {
                return null; // the position moved (another maintainer): nothing was applied
            }
        }
    }

    /// <inheritdoc />
    public async Task<KeyedEntry?> GetAsync(TopicPartition partition, byte[] key, CancellationToken cancellationToken)
    {
        NullableResponse<TableEntity> row = await table.GetEntityIfExistsAsync<TableEntity>(StorageNames.PartitionKey(partition), RowKey(key), cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue ? FromEntity(row.Value!) : null;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<KeyedEntry>> ListAsync(TopicPartition partition, byte[] prefix, byte[]? after, int limit, CancellationToken cancellationToken)
    {
        string from = Convert.ToHexStringLower(prefix), to = from + "~";
        string filter = after is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {StorageNames.PartitionKey(partition)} and RowKey ge {from} and RowKey lt {to}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {StorageNames.PartitionKey(partition)} and RowKey gt {Convert.ToHexStringLower(after)} and RowKey ge {from} and RowKey lt {to}");
        var found = new List<KeyedEntry>();
        await foreach (TableEntity row in table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(1000, limit), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            found.Add(FromEntity(row));
            if (found.Count >= limit)
            {
                break;
            }
        }

        return found;
    }

    private static string RowKey(byte[] key) => key.Length <= MaxHexKeyBytes
        ? Convert.ToHexStringLower(key)
        : "~h" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(key));

    private static TableEntity ToEntity(string pk, KeyedEntry entry)
    {
        var row = new TableEntity(pk, RowKey(entry.Key))
        {
            ["K"] = entry.Key,
            ["Offset"] = entry.Offset,
            ["CreateTime"] = entry.Timestamp,
            ["AppendTime"] = entry.AppendTime,
        };
        if (entry.Value is { Length: <= TableBinary.MaxBytes } value)
        {
            TableBinary.Write(row, value);
        }
        else
        {
            row["TooLarge"] = true; // the view says where it is; the log has it
        }

        return row;
    }

    private static KeyedEntry FromEntity(TableEntity row) => new(
        row.GetBinary("K") ?? [],
        row.GetBoolean("TooLarge") == true ? null : TableBinary.Read(row),
        row.GetInt64("Offset") ?? 0,
        row.GetInt64("CreateTime") ?? 0,
        row.GetInt64("AppendTime") ?? 0);
}
