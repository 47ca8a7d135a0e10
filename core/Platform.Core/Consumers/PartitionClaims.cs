using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Platform.Core.Log;
using Platform.Core.Log.Topics;
using Platform.Core.Storage;

namespace Platform.Core.Consumers;

/// <summary>
/// This instance's share of a group's partitions (the Event Hubs processor's PartitionLoadBalancer): heartbeats, the
/// balance plan, claiming free or expired partitions, renewing and releasing, and the claims it holds with their
/// versions. Runs of one instance overlap (a wake-up per partition, the sweep): balancing is serialized per group and
/// topic, work on a partition per partition, and the held claims live here so that one run's renewal never
/// invalidates another's.
/// </summary>
internal sealed partial class PartitionClaims(IOwnershipStore ownership, ConsumerOptions options, TimeProvider time, ILogger logger, string instanceId)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _balanceLocks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Group, TopicPartition Partition), SemaphoreSlim> _partitionLocks = new();
    private readonly ConcurrentDictionary<(string Group, TopicPartition Partition), HeldClaim> _held = new();

    /// <summary>Heartbeats, then claims, renews and releases by the plan; returns the partitions held now.</summary>
    public async Task<int[]> BalanceAsync(string group, TopicConfig config, CancellationToken cancellationToken)
    {
        ConsumerOptions o = options;
        SemaphoreSlim balanceLock = _balanceLocks.GetOrAdd($"{group}:{config.Name}", _ => new SemaphoreSlim(1, 1));
        await balanceLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await ownership.HeartbeatAsync(group, config.Name, instanceId, o.ClaimDuration, cancellationToken).ConfigureAwait(false);
            OwnershipSnapshot snapshot = await ownership.ListAsync(group, config.Name, cancellationToken).ConfigureAwait(false);
            DateTimeOffset now = snapshot.StorageNow;
            BalancePlan plan = PartitionBalancer.Plan(config.Partitions, snapshot.Claims, snapshot.LiveMembers, instanceId, now);
            foreach (PartitionClaim claim in snapshot.Claims)
            {
                var key = (group, new TopicPartition(config.Name, claim.Partition));
                if (!claim.IsLive(now) || claim.Owner != instanceId)
                {
                    _held.TryRemove(key, out _);
                    continue;
                }

                SemaphoreSlim partitionLock = PartitionLock(key);
                if (!await partitionLock.WaitAsync(0, cancellationToken).ConfigureAwait(false))
                {
                    continue; // a drain is running: its keeper renews the claim
                }

                try
                {
                    // Our own record of the claim is at least as new as the listing (a keeper may have renewed since).
                    PartitionClaim current = _held.TryGetValue(key, out HeldClaim? held) ? held.Claim : claim;
                    if (plan.Release.Contains(claim.Partition))
                    {
                        _held.TryRemove(key, out _);
                        if (!await ownership.ReleaseAsync(group, config.Name, current, cancellationToken).ConfigureAwait(false) && current.Version != claim.Version)
                        {
                            await ownership.ReleaseAsync(group, config.Name, claim, cancellationToken).ConfigureAwait(false);
                        }

                        LogReleased(logger, group, config.Name, claim.Partition);
                    }
                    else
                    {
                        HeldClaim? renewed = await TryClaimAsync(group, config.Name, claim.Partition, current, cancellationToken).ConfigureAwait(false);
                        if (renewed is null && current.Version != claim.Version)
                        {
                            // Our record was behind the listing (a keeper's renewal landed while it was being stopped).
                            renewed = await TryClaimAsync(group, config.Name, claim.Partition, claim, cancellationToken).ConfigureAwait(false);
                        }

                        if (renewed is null)
                        {
                            _held.TryRemove(key, out _);
                        }
                        else
                        {
                            _held[key] = renewed;
                        }
                    }
                }
                finally
                {
                    partitionLock.Release();
                }
            }

            foreach (int partition in plan.Claim)
            {
                PartitionClaim? current = snapshot.Claims.FirstOrDefault(c => c.Partition == partition);
                if (await TryClaimAsync(group, config.Name, partition, current, cancellationToken).ConfigureAwait(false) is { } claimed)
                {
                    LogClaimed(logger, group, config.Name, partition, instanceId);
                    _held[(group, new TopicPartition(config.Name, partition))] = claimed;
                }
            }

            return [.. _held.Keys.Where(k => k.Group == group && k.Partition.Topic == config.Name).Select(k => k.Partition.Partition).Order()];
        }
        finally
        {
            balanceLock.Release();
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on a partition this instance holds, alone among this instance's runs, with a keeper
    /// that renews the claim meanwhile (checked, and renewed if running out, first); default when it is not held.
    /// </summary>
    public async Task<T?> WithClaimAsync<T>(string group, TopicPartition tp, Func<ClaimKeeper, Task<T>> work, CancellationToken cancellationToken)
    {
        var key = (group, tp);
        SemaphoreSlim partitionLock = PartitionLock(key);
        await partitionLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_held.TryGetValue(key, out HeldClaim? held))
            {
                return default;
            }

            var keeper = new ClaimKeeper(ownership, group, tp.Topic, instanceId, held, time, logger, changed =>
            {
                if (changed is null)
                {
                    _held.TryRemove(key, out _);
                }
                else
                {
                    _held[key] = changed;
                }
            });
            await using (keeper.ConfigureAwait(false))
            {
                // The claim is checked (and renewed if it is running out) before the first batch, not after it.
                if (!await keeper.StartAsync(cancellationToken).ConfigureAwait(false))
                {
                    _held.TryRemove(key, out _);
                    return default;
                }

                return await work(keeper).ConfigureAwait(false);
            }
        }
        finally
        {
            partitionLock.Release();
        }
    }

    /// <summary>Gives up this instance's claims and membership (on shutdown), so others take over at once.</summary>
    public async Task LeaveAsync(string group, string topic, CancellationToken cancellationToken)
    {
        OwnershipSnapshot snapshot = await ownership.ListAsync(group, topic, cancellationToken).ConfigureAwait(false);
        foreach (PartitionClaim claim in snapshot.Claims.Where(c => c.Owner == instanceId))
        {
            // Wait for a drain of this partition to end first: releasing under it would let another instance start
            // while this one still handles (its keeper would only notice at its next renewal).
            var key = (group, new TopicPartition(topic, claim.Partition));
            SemaphoreSlim partitionLock = PartitionLock(key);
            await partitionLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                PartitionClaim current = _held.TryRemove(key, out HeldClaim? held) ? held.Claim : claim;
                if (!await ownership.ReleaseAsync(group, topic, current, cancellationToken).ConfigureAwait(false) && current.Version != claim.Version)
                {
                    await ownership.ReleaseAsync(group, topic, claim, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                partitionLock.Release();
            }
        }

        await ownership.LeaveAsync(group, topic, instanceId, cancellationToken).ConfigureAwait(false);
    }

    private async Task<HeldClaim?> TryClaimAsync(string group, string topic, int partition, PartitionClaim? current, CancellationToken cancellationToken)
    {
        long sentAt = time.GetTimestamp();
        PartitionClaim? claim = await ownership.TryClaimAsync(group, topic, partition, instanceId, current, options.ClaimDuration, cancellationToken).ConfigureAwait(false);
        return claim is null ? null : HeldClaim.From(claim, sentAt, time);
    }

    private SemaphoreSlim PartitionLock((string Group, TopicPartition Partition) key) => _partitionLocks.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {Group} claimed {Topic}/{Partition} on {Instance}")]
    private static partial void LogClaimed(ILogger logger, string group, string topic, int partition, string instance);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {Group} released {Topic}/{Partition} to rebalance")]
    private static partial void LogReleased(ILogger logger, string group, string topic, int partition);
}
