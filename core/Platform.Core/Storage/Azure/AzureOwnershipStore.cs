using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Platform.Core.Consumers;

namespace Platform.Core.Storage.Azure;

/// <summary>
/// Claims and members in table <c>{prefix}ownership</c>, PartitionKey <c>{group}:{topic}</c>, RowKey the partition
/// (<c>D5</c>) or <c>m:{member}</c>. Expiry uses the entities' server-set Timestamp and the Date header of the same
/// query's response, both the storage's clock.
/// </summary>
public sealed class AzureOwnershipStore(TableClient table) : IOwnershipStore, IProvisionedStore
{
    private const string MemberPrefix = "m:";

    /// <inheritdoc />
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken) =>
        await table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<OwnershipSnapshot> ListAsync(string group, string topic, CancellationToken cancellationToken)
    {
        var claims = new List<PartitionClaim>();
        var members = new List<GroupMember>();
        DateTimeOffset? storageNow = null;
        string filter = TableClient.CreateQueryFilter($"PartitionKey eq {Key(group, topic)}");
        await foreach (Page<TableEntity> page in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).AsPages().ConfigureAwait(false))
        {
            // The Date header has whole seconds and is written after the query ran: up to a second early, which only
            // makes claims look live a little longer (the safe side).
            storageNow ??= page.GetRawResponse().Headers.Date;
            foreach (TableEntity e in page.Values)
            {
                DateTimeOffset modified = e.Timestamp ?? throw new InvalidOperationException("Table storage returned an entity without its Timestamp.");
                TimeSpan duration = TimeSpan.FromMilliseconds(e.GetInt64("DurationMs") ?? 0);
                if (e.RowKey.StartsWith(MemberPrefix, StringComparison.Ordinal))
                {
                    members.Add(new GroupMember(e.RowKey[MemberPrefix.Length..], modified, duration));
                }
                else
                {
                    claims.Add(new PartitionClaim(int.Parse(e.RowKey, NumberStyles.None, CultureInfo.InvariantCulture), e.GetString("Owner") ?? string.Empty, modified, duration, TableVersion.Of(e.ETag, "a claim")));
                }
            }
        }

        return new OwnershipSnapshot(claims, members, storageNow ?? throw new InvalidOperationException("Table storage answered without a Date header; claim expiry cannot be judged."));
    }

    /// <inheritdoc />
    public async Task HeartbeatAsync(string group, string topic, string member, TimeSpan duration, CancellationToken cancellationToken) =>
        await table.UpsertEntityAsync(new TableEntity(Key(group, topic), MemberPrefix + member) { ["DurationMs"] = (long)duration.TotalMilliseconds }, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task LeaveAsync(string group, string topic, string member, CancellationToken cancellationToken) =>
        await table.DeleteEntityAsync(Key(group, topic), MemberPrefix + member, ETag.All, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<PartitionClaim?> TryClaimAsync(string group, string topic, int partition, string owner, PartitionClaim? current, TimeSpan duration, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(Key(group, topic), partition.ToString("D5", CultureInfo.InvariantCulture)) { ["Owner"] = owner, ["DurationMs"] = (long)duration.TotalMilliseconds };
        try
        {
            Response response = current is null
                ? await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false)
                : await table.UpdateEntityAsync(entity, new ETag(current.Version), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            return new PartitionClaim(partition, owner, response.Headers.Date ?? DateTimeOffset.MinValue, duration, TableVersion.Of(response.Headers.ETag, "a claim"));
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<bool> ReleaseAsync(string group, string topic, PartitionClaim claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        return await TryClaimAsync(group, topic, claim.Partition, string.Empty, claim, TimeSpan.Zero, cancellationToken).ConfigureAwait(false) is not null;
    }

    private static string Key(string group, string topic) => $"{group}:{topic}";
}
