using Platform.Core.Consumers;

namespace Platform.Tests.Consumers;

public sealed class PartitionBalancerTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UnixEpoch.AddDays(1);

    private static PartitionClaim Claim(int p, string owner, int secondsLeft = 10) => new(p, owner, Now.AddSeconds(secondsLeft - 30), TimeSpan.FromSeconds(30), "v1");

    [Fact]
    public void A_lone_instance_claims_everything()
    {
        Assert.Equal(new[] { 0, 1, 2, 3 }, PartitionBalancer.Plan(4, [], [], "a", Now).Claim);
    }

    [Fact]
    public void A_newcomer_gets_its_share_only_after_the_owner_releases_it()
    {
        PartitionClaim[] claims = [Claim(0, "a"), Claim(1, "a"), Claim(2, "a"), Claim(3, "a")];
        BalancePlan forB = PartitionBalancer.Plan(4, claims, ["a", "b"], "b", Now);
        Assert.Empty(forB.Claim); // never steals a live claim
        BalancePlan forA = PartitionBalancer.Plan(4, claims, ["a", "b"], "a", Now);
        Assert.Equal(new[] { 2, 3 }, forA.Release);
        PartitionClaim[] after = [Claim(0, "a"), Claim(1, "a")];
        Assert.Equal(new[] { 2, 3 }, PartitionBalancer.Plan(4, after, ["a", "b"], "b", Now).Claim);
    }

    [Fact]
    public void Expired_claims_are_free_and_uneven_counts_split_deterministically()
    {
        PartitionClaim[] claims = [Claim(0, "dead", -1), Claim(1, "dead", -1), Claim(2, "b")];
        Assert.Equal(new[] { 0, 1 }, PartitionBalancer.Plan(5, claims, ["b", "c", "a"], "a", Now).Claim);     // a: 5/3 → 2
        Assert.Equal(new[] { 0 }, PartitionBalancer.Plan(5, claims, ["b", "c", "a"], "b", Now).Claim);       // b: 2, has 1
        Assert.Equal(new[] { 0 }, PartitionBalancer.Plan(5, claims, ["b", "c", "a"], "c", Now).Claim);       // c: 1
    }
}
