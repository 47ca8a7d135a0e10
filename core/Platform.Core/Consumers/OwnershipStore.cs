using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Platform.Core.Storage;

namespace Platform.Core.Consumers;

/// <summary>
/// Expiring partition claims with ETag concurrency (as the Event Hubs processor's checkpoint store keeps
/// ownership): table <c>{prefix}ownership</c>, PartitionKey <c>{group}:{topic}</c>, RowKey the partition.
/// Losing a race is an expected outcome, returned as null, never an exception.
/// </summary>
public sealed class OwnershipStore(TableClient table) : IProvisionedStore
{
    /// <inheritdoc />
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken) =>
        await table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Every claim of a group on a topic (live or expired), and the members alive at <paramref name="now"/>.</summary>
    public async Task<(IReadOnlyList<PartitionClaim> Claims, IReadOnlyList<string> Members)> ListAsync(string group, string topic, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var claims = new List<PartitionClaim>();
        var members = new List<string>();
        string filter = TableClient.CreateQueryFilter($"PartitionKey eq {Key(group, topic)}");
        await foreach (TableEntity e in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            DateTimeOffset expires = e.GetDateTimeOffset("ExpiresAt") ?? DateTimeOffset.MinValue;
            if (e.RowKey.StartsWith(MemberPrefix, StringComparison.Ordinal))
            {
                if (expires > now)
                {
                    members.Add(e.RowKey[MemberPrefix.Length..]);
                }
            }
            else
            {
                claims.Add(new PartitionClaim(int.Parse(e.RowKey, NumberStyles.None, CultureInfo.InvariantCulture), e.GetString("Owner") ?? string.Empty, expires, e.ETag));
            }
        }

        return (claims, members);
    }

    /// <summary>Says <paramref name="owner"/> is alive until <paramref name="expiresAt"/>, so the others leave it a share.</summary>
    public async Task HeartbeatAsync(string group, string topic, string owner, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        await table.UpsertEntityAsync(new TableEntity(Key(group, topic), MemberPrefix + owner) { ["ExpiresAt"] = expiresAt }, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);

    /// <summary>Leaves the group (on shutdown).</summary>
    public async Task LeaveAsync(string group, string topic, string owner, CancellationToken cancellationToken) =>
        await table.DeleteEntityAsync(Key(group, topic), MemberPrefix + owner, ETag.All, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Claims (or renews) a partition for <paramref name="owner"/> until <paramref name="expiresAt"/>, if the claim is
    /// still <paramref name="current"/> (null: nobody ever claimed it). Null when another instance got there first.
    /// </summary>
    public async Task<PartitionClaim?> TryClaimAsync(string group, string topic, int partition, string owner, PartitionClaim? current, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(Key(group, topic), partition.ToString("D5", CultureInfo.InvariantCulture)) { ["Owner"] = owner, ["ExpiresAt"] = expiresAt };
        try
        {
            Response response = current is null
                ? await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false)
                : await table.UpdateEntityAsync(entity, current.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            return new PartitionClaim(partition, owner, expiresAt, response.Headers.ETag ?? ETag.All);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return null;
        }
    }

    /// <summary>Gives a claim up (on shutdown) so another instance can take it at once; false if it was already lost.</summary>
    public async Task<bool> ReleaseAsync(string group, string topic, PartitionClaim claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        return await TryClaimAsync(group, topic, claim.Partition, string.Empty, claim, DateTimeOffset.UnixEpoch, cancellationToken).ConfigureAwait(false) is not null;
    }

    private const string MemberPrefix = "m:";

    private static string Key(string group, string topic) => $"{group}:{topic}";
}
