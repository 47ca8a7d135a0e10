using System.Globalization;
using Platform.Core.Consumers;

namespace Platform.Core.Storage.InMemory;

/// <summary>
/// Claims and members in memory, with the table store's conditional writes. <paramref name="storageClock"/> plays the
/// storage service's clock: entity timestamps and "now" in snapshots come from it, never from the instances.
/// </summary>
public sealed class InMemoryOwnershipStore(TimeProvider storageClock) : IOwnershipStore
{
    private readonly Dictionary<(string Group, string Topic), Dictionary<int, PartitionClaim>> _claims = [];
    private readonly Dictionary<(string Group, string Topic), Dictionary<string, GroupMember>> _members = [];
    private readonly Lock _lock = new();
    private long _versions;

    /// <summary>A store on the system clock.</summary>
    public InMemoryOwnershipStore()
        : this(TimeProvider.System)
    {
    }

    /// <inheritdoc />
    public Task<OwnershipSnapshot> ListAsync(string group, string topic, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            PartitionClaim[] claims = _claims.TryGetValue((group, topic), out var c) ? [.. c.Values] : [];
            GroupMember[] members = _members.TryGetValue((group, topic), out var m) ? [.. m.Values] : [];
            return Task.FromResult(new OwnershipSnapshot(claims, members, storageClock.GetUtcNow()));
        }
    }

    /// <inheritdoc />
    public Task HeartbeatAsync(string group, string topic, string member, TimeSpan duration, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            Members(group, topic)[member] = new GroupMember(member, storageClock.GetUtcNow(), duration);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task LeaveAsync(string group, string topic, string member, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            Members(group, topic).Remove(member);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<PartitionClaim?> TryClaimAsync(string group, string topic, int partition, string owner, PartitionClaim? current, TimeSpan duration, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            Dictionary<int, PartitionClaim> claims = Claims(group, topic);
            bool exists = claims.TryGetValue(partition, out PartitionClaim? stored);
            if (current is null ? exists : !exists || stored!.Version != current.Version)
            {
                return Task.FromResult<PartitionClaim?>(null);
            }

            var claim = new PartitionClaim(partition, owner, storageClock.GetUtcNow(), duration, (++_versions).ToString(CultureInfo.InvariantCulture));
            claims[partition] = claim;
            return Task.FromResult<PartitionClaim?>(claim);
        }
    }

    /// <inheritdoc />
    public async Task<bool> ReleaseAsync(string group, string topic, PartitionClaim claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        return await TryClaimAsync(group, topic, claim.Partition, string.Empty, claim, TimeSpan.Zero, cancellationToken).ConfigureAwait(false) is not null;
    }

    private Dictionary<int, PartitionClaim> Claims(string group, string topic) =>
        _claims.TryGetValue((group, topic), out var c) ? c : _claims[(group, topic)] = [];

    private Dictionary<string, GroupMember> Members(string group, string topic) =>
        _members.TryGetValue((group, topic), out var m) ? m : _members[(group, topic)] = [];
}
