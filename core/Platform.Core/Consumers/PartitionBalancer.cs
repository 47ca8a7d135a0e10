namespace Platform.Core.Consumers;

/// <summary>What an instance should change this round.</summary>
public sealed record BalancePlan(IReadOnlyList<int> Claim, IReadOnlyList<int> Release);

/// <summary>
/// Cooperative balancing: every live member computes the same target share (members sorted by name; the first
/// <c>partitions % members</c> take one extra), claims only free or expired partitions up to its target, and
/// releases its excess after committing. Live claims are never stolen, so two instances never process one
/// partition at once.
/// </summary>
public static class PartitionBalancer
{
    /// <summary>The plan for <paramref name="me"/>.</summary>
    public static BalancePlan Plan(int partitions, IReadOnlyList<PartitionClaim> claims, IReadOnlyList<string> liveMembers, string me, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(claims);
        ArgumentNullException.ThrowIfNull(liveMembers);
        string[] members = [.. liveMembers.Append(me).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        int index = Array.IndexOf(members, me);
        int target = partitions / members.Length + (index < partitions % members.Length ? 1 : 0);
        var live = claims.Where(c => c.IsLive(now) && c.Partition < partitions).ToDictionary(c => c.Partition);
        int[] mine = [.. live.Values.Where(c => c.Owner == me).Select(c => c.Partition).Order()];
        if (mine.Length > target)
        {
            return new BalancePlan([], mine[target..]);
        }

        int[] free = [.. Enumerable.Range(0, partitions).Where(p => !live.ContainsKey(p)).Take(target - mine.Length)];
        return new BalancePlan(free, []);
    }
}
