using Azure;
using Azure.Data.Tables;

namespace Platform.Core.Storage.Azure;

/// <summary>Deletes rows of one partition in transactions of 100; rows already gone (another remover, an earlier crash) are skipped.</summary>
internal static class TableDeletes
{
    private const int TransactionLimit = 100;

    /// <summary>
    /// Deletes one row; false when it was not there. The SDK answers a missing row with a 404 response rather than an
    /// exception, so the status is what tells.
    /// </summary>
    public static async Task<bool> DeleteIfExistsAsync(TableClient table, string partitionKey, string rowKey, ETag ifMatch, CancellationToken cancellationToken)
    {
        try
        {
            Response response = await table.DeleteEntityAsync(partitionKey, rowKey, ifMatch, cancellationToken).ConfigureAwait(false);
            return response.Status != 404;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return false;
        }
    }

    /// <summary>Deletes every row of one PartitionKey.</summary>
    public static async Task DeletePartitionAsync(TableClient table, string partitionKey, CancellationToken cancellationToken)
    {
        var rows = new List<ITableEntity>();
        await foreach (TableEntity e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey}"), select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            rows.Add(e);
        }

        await DeleteAsync(table, rows, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes <paramref name="rows"/> (all of one PartitionKey), whatever their versions.</summary>
    public static async Task DeleteAsync(TableClient table, IEnumerable<ITableEntity> rows, CancellationToken cancellationToken)
    {
        foreach (ITableEntity[] chunk in rows.Chunk(TransactionLimit))
        {
            try
            {
                await table.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.Delete, e, ETag.All)), cancellationToken).ConfigureAwait(false);
            }
            catch (TableTransactionFailedException e) when (e.Status == 404)
            {
                // Some were gone already: the rest one by one.
                foreach (ITableEntity row in chunk)
                {
                    try
                    {
                        await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken).ConfigureAwait(false);
                    }
                    catch (RequestFailedException gone) when (gone.Status == 404)
                    {
                    }
                }
            }
        }
    }
}
