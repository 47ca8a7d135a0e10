using Platform.Core.Consumers;

namespace Platform.Core.Storage;

/// <summary>
/// Expiring partition claims and group membership with optimistic concurrency (as the Event Hubs processor keeps
/// ownership). Times are the storage's own, so expiry never depends on an instance's clock. Losing a race is an
/// expected outcome, returned as null or false.
/// </summary>
public interface IOwnershipStore
{
    /// <summary>Every claim (live or not) and member of a group on a topic, with the storage's time of reading.</summary>
    Task<OwnershipSnapshot> ListAsync(string group, string topic, CancellationToken cancellationToken);

    /// <summary>Says <paramref name="member"/> is alive for <paramref name="duration"/> from now (the storage's now).</summary>
    Task HeartbeatAsync(string group, string topic, string member, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>Removes <paramref name="member"/> from the group (on shutdown).</summary>
    Task LeaveAsync(string group, string topic, string member, CancellationToken cancellationToken);

    /// <summary>
    /// Claims or renews a partition for <paramref name="owner"/> for <paramref name="duration"/>, if the claim is still
    /// <paramref name="current"/> (null: nobody ever claimed it). Null when another instance got there first.
    /// </summary>
    Task<PartitionClaim?> TryClaimAsync(string group, string topic, int partition, string owner, PartitionClaim? current, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>Gives a claim up so that another instance can take it at once; false when it was already lost.</summary>
    Task<bool> ReleaseAsync(string group, string topic, PartitionClaim claim, CancellationToken cancellationToken);
}
