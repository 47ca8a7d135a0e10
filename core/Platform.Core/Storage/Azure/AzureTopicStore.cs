using Azure;
using Azure.Data.Tables;
using Platform.Core.Log.Batches;
using Platform.Core.Log.Topics;

namespace Platform.Core.Storage.Azure;

/// <summary>Topic metadata as entities of one table, PartitionKey <c>topic</c>, RowKey the name.</summary>
public sealed class AzureTopicStore(TableClient table) : ITopicStore, IProvisionedStore
{
    /// <inheritdoc />
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken) =>
        await table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<bool> TryCreateAsync(TopicConfig topic, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(topic);
        try
        {
            await table.AddEntityAsync(ToEntity(topic), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async Task<TopicConfig?> GetAsync(string name, CancellationToken cancellationToken)
    {
        NullableResponse<TableEntity> response = await table.GetEntityIfExistsAsync<TableEntity>(StorageNames.TopicsPartitionKey, name, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue && response.Value is { } entity ? FromEntity(entity) : null;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<TopicConfig>> ListAsync(CancellationToken cancellationToken)
    {
        var result = new List<TopicConfig>();
        string filter = TableClient.CreateQueryFilter($"PartitionKey eq {StorageNames.TopicsPartitionKey}");
        await foreach (TableEntity entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            result.Add(FromEntity(entity));
        }

        return result;
    }

    /// <inheritdoc />
    public async Task<bool> TryReplaceAsync(TopicConfig topic, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(topic);
        try
        {
            await table.UpdateEntityAsync(ToEntity(topic), new ETag(topic.Version ?? throw new ArgumentException("The topic has no stored version.", nameof(topic))), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async Task<bool> TryDeleteAsync(TopicConfig topic, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ETag version = new(topic.Version ?? throw new ArgumentException("The topic has no stored version.", nameof(topic)));
        try
        {
            return await TableDeletes.DeleteIfExistsAsync(table, StorageNames.TopicsPartitionKey, topic.Name, version, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return false;
        }
    }

    private static TableEntity ToEntity(TopicConfig t) => new(StorageNames.TopicsPartitionKey, t.Name)
    {
        ["Partitions"] = t.Partitions,
        ["RetentionMs"] = t.RetentionMs,
        ["RetentionBytes"] = t.RetentionBytes,
        ["CleanupPolicy"] = t.CleanupPolicy.ToString(),
        ["SegmentMs"] = t.SegmentMs,
        ["SegmentAccounts"] = t.SegmentAccounts is { } accounts ? string.Join(',', accounts) : null,
        ["MinCompactionLagMs"] = t.MinCompactionLagMs,
        ["MaxCompactionLagMs"] = t.MaxCompactionLagMs,
        ["DeleteRetentionMs"] = t.DeleteRetentionMs,
        ["MinCleanableDirtyRatio"] = t.MinCleanableDirtyRatio,
        ["Compression"] = t.Compression.ToString(),
        ["MaxRecordBytes"] = t.MaxRecordBytes,
        ["CreatedAt"] = t.CreatedAt,
        ["DeletedAt"] = t.DeletedAt,
    };

    private static TopicConfig FromEntity(TableEntity e) => new()
    {
        Name = e.RowKey,
        Partitions = e.GetInt32("Partitions") ?? 1,
        RetentionMs = e.GetInt64("RetentionMs") ?? -1,
        RetentionBytes = e.GetInt64("RetentionBytes") ?? -1,
        CleanupPolicy = Enum.Parse<CleanupPolicy>(e.GetString("CleanupPolicy") ?? nameof(CleanupPolicy.Delete)),
        SegmentMs = e.GetInt64("SegmentMs") ?? (long)TimeSpan.FromDays(7).TotalMilliseconds,
        SegmentAccounts = e.GetString("SegmentAccounts") is { } accounts ? accounts.Split(',') : null,
        MinCompactionLagMs = e.GetInt64("MinCompactionLagMs") ?? 0,
        MaxCompactionLagMs = e.GetInt64("MaxCompactionLagMs") ?? -1,
        DeleteRetentionMs = e.GetInt64("DeleteRetentionMs") ?? (long)TimeSpan.FromDays(1).TotalMilliseconds,
        MinCleanableDirtyRatio = e.GetDouble("MinCleanableDirtyRatio") ?? 0.5,
        Compression = Enum.Parse<CompressionCodec>(e.GetString("Compression") ?? nameof(CompressionCodec.None)),
        MaxRecordBytes = e.GetInt32("MaxRecordBytes") ?? TopicConfig.DefaultMaxRecordBytes,
        CreatedAt = e.GetInt64("CreatedAt") ?? 0,
        DeletedAt = e.GetInt64("DeletedAt") ?? 0,
        Version = e.ETag.ToString(),
    };
}
