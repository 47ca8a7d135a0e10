using Platform.Core.Storage;
using Platform.Core.Storage.Azure;
using Platform.Core.Storage.InMemory;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Storage;

/// <summary>What every <see cref="INotificationStore"/> must do with outcomes; run against each implementation.</summary>
public abstract class NotificationStoreContract
{
    protected abstract Task<INotificationStore> CreateAsync(string testName);

    [Fact]
    public async Task A_final_outcome_is_never_replaced_by_a_waiting_one_and_reservations_respect_it()
    {
        var store = await CreateAsync(nameof(A_final_outcome_is_never_replaced_by_a_waiting_one_and_reservations_respect_it));
        await store.PutDeliveryAsync(new DeliveryRecord("n", "email", "a@example.com", "retrying", "451", 1), default);
        await store.PutDeliveryAsync(new DeliveryRecord("n", "email", "a@example.com", "sent", null, 2), default);
        await store.PutDeliveryAsync(new DeliveryRecord("n", "email", "a@example.com", "merged", "into digest d", 3), default);
        await store.PutDeliveryAsync(new DeliveryRecord("n", "email", "a@example.com", "delayed", null, 4), default);
        Assert.Equal("sent", (await store.GetDeliveryAsync("n", "email", "a@example.com", default))?.State);
        Assert.Equal(Reservation.Done, await store.TryReserveAsync("n", "email", "a@example.com", 5, TimeSpan.FromMinutes(2), default));

        // A waiting outcome is taken over; a fresh reservation of another holds.
        await store.PutDeliveryAsync(new DeliveryRecord("m", "email", "a@example.com", "retrying", "451", 1), default);
        Assert.Equal(Reservation.Reserved, await store.TryReserveAsync("m", "email", "a@example.com", 10, TimeSpan.FromMinutes(2), default));
        Assert.Equal(Reservation.Busy, await store.TryReserveAsync("m", "email", "a@example.com", 20, TimeSpan.FromMinutes(2), default));
        Assert.Equal(Reservation.Reserved, await store.TryReserveAsync("m", "email", "a@example.com", 10 + 120_001, TimeSpan.FromMinutes(2), default));
    }
}

public sealed class InMemoryNotificationStoreTests : NotificationStoreContract
{
    protected override Task<INotificationStore> CreateAsync(string testName) => Task.FromResult<INotificationStore>(new InMemoryNotificationStore());
}

[Collection(AzuriteCollection.Name)]
public sealed class AzureNotificationStoreTests(AzuriteFixture azurite) : NotificationStoreContract
{
    protected override async Task<INotificationStore> CreateAsync(string testName)
    {
        var store = new AzureNotificationStore(await azurite.NewTableAsync(testName));
        await store.EnsureCreatedAsync(default);
        return store;
    }
}
