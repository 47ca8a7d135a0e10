using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Platform.Core.Metrics.Conversion;
using Platform.Promql.Series;

namespace Platform.Core.Storage.Azure;

/// <summary>
/// Metrics in three tables. <c>{prefix}metricseries</c>: PartitionKey = metric, RowKey = series id, the labels as JSON
/// and the first/last block; metadata rows under PartitionKey <c>$meta</c>. <c>{prefix}metricchunks</c>: PartitionKey =
/// <c>{metric}|{block start, 15 digits}</c>, RowKey = series id, the chunk in binary properties D0…D14 (64 KB each), so
/// one query returns a metric's samples for an hour. <c>{prefix}metricstate</c>: running totals of delta input.
/// Chunk writes are conditional on the ETag and batched per partition into entity group transactions of up to 100.
/// </summary>
public sealed class AzureMetricStore(TableClient seriesTable, TableClient chunkTable, TableClient stateTable) : IMetricStore, IProvisionedStore
{
    private const string MetaPartition = "$meta";
    private const string StatePartition = "acc";
    /// <summary>Largest chunk an entity holds (15 binary properties of 64 KB, under the 1 MiB entity limit).</summary>
    public const int MaxChunkBytes = TableBinary.MaxBytes;

    /// <inheritdoc />
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        await seriesTable.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
        await chunkTable.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
        await stateTable.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredSeries>> ListSeriesAsync(string? metric, CancellationToken cancellationToken)
    {
        var filter = metric is null ? $"PartitionKey ne '{MetaPartition}'" : TableClient.CreateQueryFilter($"PartitionKey eq {metric}");
        var found = new List<StoredSeries>();
        await foreach (var entity in seriesTable.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var labels = JsonSerializer.Deserialize<Dictionary<string, string>>(entity.GetString("Labels") ?? "{}") ?? [];
            found.Add(new StoredSeries(entity.PartitionKey, entity.RowKey, Labels.From(labels.Select(p => new Label(p.Key, p.Value))),
                entity.GetInt64("FirstBlock") ?? 0, entity.GetInt64("LastBlock") ?? 0));
        }
        return found;
    }

    /// <inheritdoc />
    public async Task UpsertSeriesAsync(IReadOnlyList<StoredSeries> series, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(series);
        foreach (var metric in series.GroupBy(s => s.Metric, StringComparer.Ordinal))
        {
            var pending = metric.ToDictionary(s => s.Id, StringComparer.Ordinal);
            for (var attempt = 0; pending.Count > 0; attempt++)
            {
                if (attempt >= 20) throw new InvalidOperationException($"The index rows of {pending.Count} series of {metric.Key} kept changing under this writer.");
                await WidenAsync(metric.Key, pending, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // Read the rows as they are, take the wider hour range, write on each row's ETag in transactions of up to 100:
    // two instances widening one series never narrow it. Rows written leave `pending`; rows that lost a race stay.
    private async Task WidenAsync(string metric, Dictionary<string, StoredSeries> pending, CancellationToken cancellationToken)
    {
        var current = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
        if (pending.Count <= 10)
        {
            foreach (var id in pending.Keys)
            {
                var found = await seriesTable.GetEntityIfExistsAsync<TableEntity>(metric, id, cancellationToken: cancellationToken).ConfigureAwait(false);
                if (found.HasValue && found.Value is { } e) current[id] = e;
            }
        }
        else
        {
            await foreach (var e in seriesTable.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {metric}"), cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (pending.ContainsKey(e.RowKey)) current[e.RowKey] = e;
            }
        }
        var writes = new List<(string Id, TableTransactionAction Action)>();
        foreach (var (id, s) in pending.ToList())
        {
            var entity = new TableEntity(metric, id)
            {
                ["Labels"] = JsonSerializer.Serialize(s.Labels.Items.ToArray().ToDictionary(l => l.Name, l => l.Value)),
                ["FirstBlock"] = s.FirstBlock,
                ["LastBlock"] = s.LastBlock,
            };
            if (!current.TryGetValue(id, out var stored))
            {
                writes.Add((id, new TableTransactionAction(TableTransactionActionType.Add, entity)));
                continue;
            }
            var first = Math.Min(stored.GetInt64("FirstBlock") ?? s.FirstBlock, s.FirstBlock);
            var last = Math.Max(stored.GetInt64("LastBlock") ?? s.LastBlock, s.LastBlock);
            if (first == stored.GetInt64("FirstBlock") && last == stored.GetInt64("LastBlock"))
            {
                pending.Remove(id);
                continue;
            }
            entity["FirstBlock"] = first;
            entity["LastBlock"] = last;
            writes.Add((id, new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, stored.ETag)));
        }
        foreach (var batch in writes.Chunk(100))
        {
            try
            {
                await seriesTable.SubmitTransactionAsync(batch.Select(w => w.Action), cancellationToken).ConfigureAwait(false);
                foreach (var (id, _) in batch) pending.Remove(id);
            }
            catch (TableTransactionFailedException e) when (e.Status is 409 or 412 or 404)
            {
                // Another writer got to one of them first: the whole transaction is read and widened again.
            }
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredChunk>> ReadChunksAsync(string metric, long block, IReadOnlyCollection<string>? seriesIds, CancellationToken cancellationToken)
    {
        var partition = ChunkPartition(metric, block);
        var found = new List<StoredChunk>();
        if (seriesIds is { Count: <= 10 })
        {
            // A few series: point reads, instead of scanning every series of the metric in that hour.
            var reads = seriesIds.Select(async id =>
            {
                var response = await chunkTable.GetEntityIfExistsAsync<TableEntity>(partition, id, cancellationToken: cancellationToken).ConfigureAwait(false);
                return response.HasValue ? response.Value : null;
            });
            foreach (var entity in await Task.WhenAll(reads).ConfigureAwait(false))
            {
                if (entity is not null) found.Add(Chunk(metric, block, entity));
            }
            return found;
        }
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition}");
        await foreach (var entity in chunkTable.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (seriesIds is null || seriesIds.Contains(entity.RowKey)) found.Add(Chunk(metric, block, entity));
        }
        return found;
    }

    /// <inheritdoc />
    public async Task<ChunkWriteResult> TryWriteChunksAsync(IReadOnlyList<StoredChunk> chunks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        var lost = new List<StoredChunk>();
        var written = new List<StoredChunk>();
        foreach (var group in chunks.GroupBy(c => ChunkPartition(c.Metric, c.Block), StringComparer.Ordinal))
        {
            foreach (var batch in Transactions(group))
            {
                var actions = batch.Select(c => c.Version is null
                    ? new TableTransactionAction(TableTransactionActionType.Add, Entity(c))
                    : new TableTransactionAction(TableTransactionActionType.UpdateReplace, Entity(c), new ETag(c.Version))).ToList();
                try
                {
                    var responses = await chunkTable.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
                    for (var i = 0; i < batch.Length; i++)
                    {
                        var etag = responses.Value[i].Headers.ETag;
                        written.Add(batch[i] with { Version = etag?.ToString() });
                    }
                }
                catch (TableTransactionFailedException e) when (e.Status is 409 or 412)
                {
                    // The whole transaction was rolled back: every chunk in it is re-read and merged again.
                    lost.AddRange(batch);
                }
            }
        }
        return new ChunkWriteResult(written, lost);
    }

    /// <inheritdoc />
    public async Task<AccumulatorState?> ReadAccumulatorAsync(string key, CancellationToken cancellationToken)
    {
        var response = await stateTable.GetEntityIfExistsAsync<TableEntity>(StatePartition, key, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!response.HasValue || response.Value is not { } entity) return null;
        return new AccumulatorState(key,
            JsonSerializer.Deserialize<Dictionary<string, double>>(entity.GetString("Totals") ?? "{}") ?? [],
            entity.GetInt64("LastT") ?? 0,
            JsonSerializer.Deserialize<Dictionary<string, long>>(entity.GetString("Applied") ?? "{}") ?? [],
            entity.ETag.ToString());
    }

    /// <inheritdoc />
    public async Task<bool> TryWriteAccumulatorAsync(AccumulatorState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var entity = new TableEntity(StatePartition, state.Key)
        {
            ["Totals"] = JsonSerializer.Serialize(state.Totals, TotalsJson),
            ["LastT"] = state.LastT,
            ["Applied"] = JsonSerializer.Serialize(state.Applied),
        };
        try
        {
            if (state.Version is null) await stateTable.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
            else await stateTable.UpdateEntityAsync(entity, new ETag(state.Version), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            return false;
        }
    }

    private static readonly JsonSerializerOptions TotalsJson = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <inheritdoc />
    public async Task UpsertMetadataAsync(IReadOnlyList<MetricMetadata> metadata, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        foreach (var batch in metadata.DistinctBy(m => m.Metric, StringComparer.Ordinal).Chunk(100))
        {
            var actions = batch.Select(m => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(MetaPartition, m.Metric)
            {
                ["Type"] = m.Type,
                ["Help"] = m.Help,
                ["Unit"] = m.Unit,
            })).ToList();
            await seriesTable.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<MetricMetadata>> ListMetadataAsync(CancellationToken cancellationToken)
    {
        var found = new List<MetricMetadata>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {MetaPartition}");
        await foreach (var entity in seriesTable.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            found.Add(new MetricMetadata(entity.RowKey, entity.GetString("Type") ?? "unknown", entity.GetString("Help") ?? "", entity.GetString("Unit") ?? ""));
        }
        return found;
    }

    /// <summary>At most 100 entities and well under the 4 MiB a transaction may carry (binary goes as base64, 4/3 the size).</summary>
    private static IEnumerable<StoredChunk[]> Transactions(IEnumerable<StoredChunk> chunks)
    {
        const int MaxRawBytes = 2_500_000;
        var batch = new List<StoredChunk>();
        var bytes = 0;
        foreach (var chunk in chunks)
        {
            if (batch.Count > 0 && (batch.Count == 100 || bytes + chunk.Data.Length > MaxRawBytes))
            {
                yield return [.. batch];
                batch.Clear();
                bytes = 0;
            }
            batch.Add(chunk);
            bytes += chunk.Data.Length;
        }
        if (batch.Count > 0) yield return [.. batch];
    }

    private static string ChunkPartition(string metric, long block) =>
        string.Create(CultureInfo.InvariantCulture, $"{metric}|{block:D15}");

    private static TableEntity Entity(StoredChunk chunk)
    {
        var entity = new TableEntity(ChunkPartition(chunk.Metric, chunk.Block), chunk.SeriesId);
        TableBinary.Write(entity, chunk.Data);
        return entity;
    }

    private static StoredChunk Chunk(string metric, long block, TableEntity entity) =>
        new(metric, block, entity.RowKey, TableBinary.Read(entity), entity.ETag.ToString());
}
