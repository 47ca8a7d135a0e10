using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Newtonsoft.Json.Linq;
using Platform.Core.Log;
using Platform.Core.Streams.Engine;

namespace Platform.Core.Storage.Azure;

/// <summary>
/// Stream jobs in three tables: definitions (PartitionKey <c>job</c>, RowKey the name); task state (PartitionKey
/// <c>{job}|{topic}|{partition:D5}</c>, RowKey <c>~position</c> and one <c>w:{start}:{key}</c> per open window, so a
/// commit is one entity group transaction); results (PartitionKey the job, RowKey <c>{key hex}|{start:D20}</c>).
/// </summary>
public sealed class AzureStreamStore(TableClient jobs, TableClient state, TableClient resultsTable) : IStreamStore, IProvisionedStore
{
    private const string PositionRow = "~position";

    /// <inheritdoc />
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        await jobs.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
        await state.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
        await resultsTable.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> AddJobAsync(StoredJob job, CancellationToken cancellationToken)
    {
        try
        {
            await jobs.AddEntityAsync(JobEntity(job), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async Task PutJobAsync(StoredJob job, CancellationToken cancellationToken) =>
        await jobs.UpsertEntityAsync(JobEntity(job), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);

    private static TableEntity JobEntity(StoredJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var entity = new TableEntity("job", job.Name) { ["Paused"] = job.Paused, ["UpdatedAt"] = job.UpdatedAt, ["Epoch"] = job.Epoch };
        TableBinary.Write(entity, System.Text.Encoding.UTF8.GetBytes(job.Definition));
        return entity;
    }

    /// <inheritdoc />
    public async Task<StoredJob?> GetJobAsync(string name, CancellationToken cancellationToken)
    {
        NullableResponse<TableEntity> row = await jobs.GetEntityIfExistsAsync<TableEntity>("job", name, cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue && row.Value is { } e ? Job(e) : null;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredJob>> ListJobsAsync(CancellationToken cancellationToken)
    {
        var all = new List<StoredJob>();
        await foreach (TableEntity e in jobs.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {"job"}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            all.Add(Job(e));
        }

        return all;
    }

    /// <inheritdoc />
    public Task<bool> DeleteJobAsync(string name, CancellationToken cancellationToken) =>
        TableDeletes.DeleteIfExistsAsync(jobs, "job", name, ETag.All, cancellationToken);

    /// <inheritdoc />
    public async Task<StoredTask> LoadAsync(string job, TopicPartition input, CancellationToken cancellationToken)
    {
        // A query over pages is no snapshot: the position is read before and after the windows, and the read is
        // repeated when it moved meanwhile (another instance committed), so windows and position always agree. The
        // position read after one attempt is the one before the next.
        (TaskPosition? position, string? version) = await GetPositionAsync(job, input, cancellationToken).ConfigureAwait(false);
        string filter = TableClient.CreateQueryFilter($"PartitionKey eq {Key(job, input)} and RowKey ge {"w:"} and RowKey lt {"w;"}");
        for (int attempt = 0; ; attempt++)
        {
            var windows = new List<string>();
            await foreach (TableEntity e in state.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                windows.Add(System.Text.Encoding.UTF8.GetString(TableBinary.Read(e)));
            }

            (TaskPosition? positionAfter, string? after) = await GetPositionAsync(job, input, cancellationToken).ConfigureAwait(false);
            if (after == version)
            {
                return new StoredTask(position, version, windows);
            }

            if (attempt >= 10)
            {
                throw new InvalidOperationException($"The state of {job} on {input} kept changing while it was read.");
            }

            (position, version) = (positionAfter, after);
        }
    }

    /// <inheritdoc />
    public async Task<(TaskPosition? Position, string? Version)> GetPositionAsync(string job, TopicPartition input, CancellationToken cancellationToken)
    {
        NullableResponse<TableEntity> row = await state.GetEntityIfExistsAsync<TableEntity>(Key(job, input), PositionRow, cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue && row.Value is { } e ? (Position(e), e.ETag.ToString()) : (null, null);
    }

    /// <inheritdoc />
    public async Task<string?> CommitAsync(string job, TopicPartition input, IReadOnlyList<(string Row, string State)> upserts, IReadOnlyList<string> deletes, TaskPosition position, string? expected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upserts);
        ArgumentNullException.ThrowIfNull(deletes);
        ArgumentNullException.ThrowIfNull(position);
        if (upserts.Count + deletes.Count > IStreamStore.MaxChangesPerCommit) throw new ArgumentException("Too many changes for one commit.", nameof(upserts));
        string pk = Key(job, input);
        var actions = new List<TableTransactionAction>(upserts.Count + deletes.Count + 1);
        foreach ((string row, string saved) in upserts)
        {
            var entity = new TableEntity(pk, row);
            TableBinary.Write(entity, System.Text.Encoding.UTF8.GetBytes(saved));
            actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, entity));
        }

        actions.AddRange(deletes.Select(row => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(pk, row), ETag.All)));
        var positionRow = new TableEntity(pk, PositionRow)
        {
            ["Next"] = position.Next, ["Watermark"] = position.Watermark, ["PendingEnd"] = position.PendingEnd, ["Late"] = position.Late, ["Flushes"] = position.Flushes, ["Processed"] = position.Processed,
        };
        actions.Add(expected is null
            ? new TableTransactionAction(TableTransactionActionType.Add, positionRow)
            : new TableTransactionAction(TableTransactionActionType.UpdateReplace, positionRow, new ETag(expected)));
        try
        {
            Response<IReadOnlyList<Response>> response = await state.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
            return TableVersion.Of(response.Value[^1].Headers.ETag, "a stream task's position");
        }
        catch (TableTransactionFailedException e) when (e.Status is 404 or 409 or 412 && e.FailedTransactionActionIndex == actions.Count - 1)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task PutResultsAsync(string job, IReadOnlyList<WindowResult> results, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(results);
        // The last result of a window wins, as in memory (a transaction may not touch one row twice).
        foreach (WindowResult[] chunk in results.Reverse().DistinctBy(r => (r.Key, r.Start)).Reverse().Chunk(100))
        {
            await resultsTable.SubmitTransactionAsync(chunk.Select(r =>
            {
                var entity = new TableEntity(job, ResultRow(r.Key, r.Start)) { ["Key"] = r.Key, ["Start"] = r.Start };
                TableBinary.Write(entity, System.Text.Encoding.UTF8.GetBytes(r.Value.ToString(Newtonsoft.Json.Formatting.None)));
                return new TableTransactionAction(TableTransactionActionType.UpsertReplace, entity);
            }), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<WindowResult>> QueryResultsAsync(string job, string? key, long from, long until, int limit, CancellationToken cancellationToken)
    {
        string filter = key is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {job} and Start ge {from} and Start lt {until}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {job} and RowKey ge {ResultRow(key, Math.Max(0, from))} and RowKey lt {ResultRow(key, until)}");
        var found = new List<WindowResult>();
        await foreach (TableEntity e in resultsTable.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            long start = e.GetInt64("Start") ?? 0;
            if (start < from || start >= until) continue;
            found.Add(new WindowResult(e.GetString("Key") ?? "", start, JObject.Parse(System.Text.Encoding.UTF8.GetString(TableBinary.Read(e)))));
            if (found.Count >= limit) break;
        }

        return found;
    }

    /// <inheritdoc />
    public async Task ClearAsync(string job, IReadOnlyList<TopicPartition> inputs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        foreach (TopicPartition input in inputs)
        {
            await TableDeletes.DeletePartitionAsync(state, Key(job, input), cancellationToken).ConfigureAwait(false);
        }

        await TableDeletes.DeletePartitionAsync(resultsTable, job, cancellationToken).ConfigureAwait(false);
    }

    private static string Key(string job, TopicPartition input) => string.Create(CultureInfo.InvariantCulture, $"{job}|{input.Topic}|{input.Partition:D5}");

    private static string ResultRow(string key, long start) => string.Create(CultureInfo.InvariantCulture, $"{StorageNames.TextKey(key)}|{start:D20}");

    private static TaskPosition Position(TableEntity e) =>
        new(e.GetInt64("Next") ?? 0, e.GetInt64("Watermark") ?? long.MinValue, e.GetInt64("PendingEnd"), e.GetInt64("Late") ?? 0, e.GetInt64("Flushes") ?? 0, e.GetInt64("Processed") ?? 0);

    private static StoredJob Job(TableEntity e) =>
        new(e.RowKey, System.Text.Encoding.UTF8.GetString(TableBinary.Read(e)), e.GetBoolean("Paused") ?? false, e.GetInt64("UpdatedAt") ?? 0, e.GetString("Epoch") ?? "0");
}
