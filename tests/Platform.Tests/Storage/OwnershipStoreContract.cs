using Platform.Core.Consumers;
using Platform.Core.Storage;
using Platform.Core.Storage.Azure;
using Platform.Core.Storage.InMemory;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Storage;

/// <summary>What every <see cref="IOwnershipStore"/> must do; run against each implementation.</summary>
public abstract class OwnershipStoreContract
{
    protected abstract Task<IOwnershipStore> CreateAsync(string testName);

    [Fact]
    public async Task Claims_are_won_once_renewed_by_version_and_released()
    {
        IOwnershipStore store = await CreateAsync(nameof(Claims_are_won_once_renewed_by_version_and_released));
        TimeSpan duration = TimeSpan.FromMinutes(5);
        PartitionClaim? a = await store.TryClaimAsync("g", "t", 3, "a", null, duration, default);
        Assert.NotNull(a);
        Assert.Null(await store.TryClaimAsync("g", "t", 3, "b", null, duration, default)); // lost the race to create it

        OwnershipSnapshot snapshot = await store.ListAsync("g", "t", default);
        PartitionClaim listed = Assert.Single(snapshot.Claims);
        Assert.Equal(("a", 3, duration), (listed.Owner, listed.Partition, listed.Duration));
        Assert.True(listed.IsLive(snapshot.StorageNow));
        Assert.Equal(a.Version, listed.Version);

        PartitionClaim? renewed = await store.TryClaimAsync("g", "t", 3, "a", listed, duration, default);
        Assert.NotNull(renewed);
        Assert.NotEqual(a.Version, renewed.Version);
        Assert.Null(await store.TryClaimAsync("g", "t", 3, "b", listed, duration, default)); // a stale version never wins
        Assert.False(await store.ReleaseAsync("g", "t", a, default));
        Assert.True(await store.ReleaseAsync("g", "t", renewed, default));

        snapshot = await store.ListAsync("g", "t", default);
        Assert.False(Assert.Single(snapshot.Claims).IsLive(snapshot.StorageNow));
        Assert.NotNull(await store.TryClaimAsync("g", "t", 3, "b", snapshot.Claims[0], duration, default));
    }

    [Fact]
    public async Task Members_come_and_go_and_expiry_is_judged_on_the_storage_clock()
    {
        IOwnershipStore store = await CreateAsync(nameof(Members_come_and_go_and_expiry_is_judged_on_the_storage_clock));
        await store.HeartbeatAsync("g", "t", "a", TimeSpan.FromMinutes(5), default);
        await store.HeartbeatAsync("g", "t", "b", TimeSpan.FromMilliseconds(1), default);
        await store.TryClaimAsync("g", "t", 0, "b", null, TimeSpan.FromMilliseconds(1), default);
        await Task.Delay(TimeSpan.FromSeconds(1.1)); // past the Date header's whole second
        OwnershipSnapshot snapshot = await store.ListAsync("g", "t", default);
        Assert.Equal(["a"], snapshot.LiveMembers);
        Assert.False(Assert.Single(snapshot.Claims).IsLive(snapshot.StorageNow));
        Assert.InRange(snapshot.StorageNow, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));

        await store.LeaveAsync("g", "t", "a", default);
        Assert.Empty((await store.ListAsync("g", "t", default)).LiveMembers);
    }
}

public sealed class InMemoryOwnershipStoreTests : OwnershipStoreContract
{
    protected override Task<IOwnershipStore> CreateAsync(string testName) => Task.FromResult<IOwnershipStore>(new InMemoryOwnershipStore());
}

[Collection(AzuriteCollection.Name)]
public sealed class AzureOwnershipStoreTests(AzuriteFixture azurite) : OwnershipStoreContract
{
    protected override async Task<IOwnershipStore> CreateAsync(string testName) => new AzureOwnershipStore(await azurite.NewTableAsync(testName + "w"));
}
