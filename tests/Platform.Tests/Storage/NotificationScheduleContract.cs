using System.Text;
using Platform.Core.Storage;
using Platform.Core.Storage.Azure;
using Platform.Core.Storage.InMemory;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Storage;

/// <summary>What every <see cref="INotificationSchedule"/> and <see cref="IRateLimitStore"/> must do; run against each implementation.</summary>
public abstract class NotificationScheduleContract
{
    protected abstract Task<(INotificationSchedule Schedule, IRateLimitStore Rates)> CreateAsync(string testName);

    private static PendingDelivery Single(string id, long due, string message = "{}") =>
        new(id, "email", "a@example.com", null, due, 0, 0, null, false, Encoding.UTF8.GetBytes(message), null);

    [Fact]
    public async Task Parked_items_come_back_when_due_earliest_first_and_change_only_at_their_version()
    {
        var (schedule, _) = await CreateAsync(nameof(Parked_items_come_back_when_due_earliest_first_and_change_only_at_their_version));
        await schedule.ParkAsync(Single("b", 200), default);
        await schedule.ParkAsync(Single("a", 100), default);
        await schedule.ParkAsync(Single("c", 300, new string('x', 100_000)), default);
        // Parking again (a redelivered message) leaves the waiting one as it is.
        await schedule.ParkAsync(Single("a", 150) with { Attempts = 9 }, default);
        Assert.True(await schedule.IsParkedAsync("a", "email", "a@example.com", default));
        Assert.False(await schedule.IsParkedAsync("a", "email", "b@example.com", default));

        Assert.Equal(["a", "b"], (await schedule.DueAsync(250, 10, default)).Select(d => d.Id));
        var c = Assert.Single(await schedule.DueAsync(300, 10, default), d => d.Id == "c");
        Assert.Equal(100_000, c.Message.Length);

        var a = (await schedule.DueAsync(150, 10, default)).Single();
        Assert.Equal((100L, 0), (a.Due, a.Attempts));
        var moved = await schedule.TryUpdateAsync(a with { Due = 1_000, Attempts = 2, FirstTriedAt = 5, LastError = "SMTP 451" }, default);
        Assert.NotNull(moved);
        Assert.Null(await schedule.TryUpdateAsync(a with { Due = 2_000 }, default));
        Assert.False(await schedule.TryRemoveAsync(a, default));
        var again = Assert.Single(await schedule.DueAsync(1_000, 10, default), d => d.Id == "a");
        Assert.Equal((1_000L, 2, 5L, "SMTP 451"), (again.Due, again.Attempts, again.FirstTriedAt, again.LastError));
        Assert.True(await schedule.TryRemoveAsync(again, default));
        Assert.False(await schedule.TryRemoveAsync(again, default)); // gone: a second remover did not take it (the SDK answers 404 without throwing)
        Assert.DoesNotContain(await schedule.DueAsync(long.MaxValue, 10, default), d => d.Id == "a");
        Assert.False(await schedule.IsParkedAsync("a", "email", "a@example.com", default));
    }

    [Fact]
    public async Task A_digest_gathers_once_per_message_until_closed_and_a_closed_one_takes_no_more()
    {
        var (schedule, _) = await CreateAsync(nameof(A_digest_gathers_once_per_message_until_closed_and_a_closed_one_takes_no_more));
        var window = TimeSpan.FromMinutes(10);
        var id = await schedule.JoinDigestAsync("email", "a@example.com", "news", Entry("m1", 1), 1_000, window, default);
        Assert.Equal(id, await schedule.JoinDigestAsync("email", "a@example.com", "news", Entry("m2", 2), 2_000, window, default));
        Assert.Equal(id, await schedule.JoinDigestAsync("email", "a@example.com", "news", Entry("m1", 3), 3_000, window, default));
        var other = await schedule.JoinDigestAsync("email", "b@example.com", "news", Entry("m1", 1), 1_000, window, default);
        Assert.NotEqual(id, other);

        Assert.Empty(await schedule.DueAsync(1_000 + 599_999, 10, default));
        var due = Assert.Single(await schedule.DueAsync(1_000 + 600_000, 10, default), d => d.Id == id);
        Assert.Equal((id, "news", true), (due.Id, due.DigestKey, due.Gathering));
        Assert.Equal(["m1", "m2"], (await schedule.DigestEntriesAsync(due, default)).Select(e => e.MessageId));

        // A message joining after the dispatcher read the digest makes its close lose; read again, it closes.
        await schedule.JoinDigestAsync("email", "a@example.com", "news", Entry("m3", 4), 4_000, window, default);
        Assert.Null(await schedule.TryCloseDigestAsync(due, default));
        due = (await schedule.DueAsync(1_000 + 600_000, 10, default)).Single(d => d.Id == id);
        var version = await schedule.TryCloseDigestAsync(due, default);
        Assert.NotNull(version);
        var closed = due with { Gathering = false, Version = version };

        // Closed: a message already in it still answers its id; the next message opens a new digest, and the closed one's entries stay as they were.
        Assert.Equal(id, await schedule.JoinDigestAsync("email", "a@example.com", "news", Entry("m2", 5), 700_000, window, default));
        var next = await schedule.JoinDigestAsync("email", "a@example.com", "news", Entry("m4", 5), 700_000, window, default);
        Assert.NotEqual(id, next);
        Assert.Equal(["m1", "m2", "m3"], (await schedule.DigestEntriesAsync(closed, default)).Select(e => e.MessageId));
        Assert.True(await schedule.TryRemoveAsync(closed, default));
        Assert.Empty(await schedule.DigestEntriesAsync(closed, default));
        var left = await schedule.DueAsync(long.MaxValue, 10, default);
        Assert.Equal(new[] { other, next }.Order(StringComparer.Ordinal), left.Select(d => d.Id).Order(StringComparer.Ordinal));
        var newer = Assert.Single(left, d => d.Id == next);
        Assert.Equal(["m4"], (await schedule.DigestEntriesAsync(newer, default)).Select(e => e.MessageId));
    }

    [Fact]
    public async Task A_joiner_closes_a_digest_past_its_window_and_opens_the_next_and_concurrent_joiners_share_one()
    {
        var (schedule, _) = await CreateAsync(nameof(A_joiner_closes_a_digest_past_its_window_and_opens_the_next_and_concurrent_joiners_share_one));
        var window = TimeSpan.FromSeconds(10);
        var ids = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => schedule.JoinDigestAsync("email", "a@example.com", "k", Entry($"m{i}", i), 1_000 + i, window, default)));
        Assert.Single(ids.Distinct());
        var next = await schedule.JoinDigestAsync("email", "a@example.com", "k", Entry("late", 20), 20_000, window, default);
        Assert.NotEqual(ids[0], next);
        var all = await schedule.DueAsync(long.MaxValue, 10, default);
        Assert.False(Assert.Single(all, d => d.Id == ids[0]).Gathering);
        Assert.Equal(8, (await schedule.DigestEntriesAsync(all.Single(d => d.Id == ids[0]), default)).Count);
        Assert.True(Assert.Single(all, d => d.Id == next).Gathering);
    }

    [Fact]
    public async Task A_digest_of_more_than_a_hundred_messages_is_removed_whole()
    {
        var (schedule, _) = await CreateAsync(nameof(A_digest_of_more_than_a_hundred_messages_is_removed_whole));
        for (var i = 0; i < 230; i++) await schedule.JoinDigestAsync("email", "a@example.com", "k", Entry($"m{i}", i), 1_000 + i, TimeSpan.FromSeconds(1), default);
        var due = Assert.Single(await schedule.DueAsync(long.MaxValue, 10, default));
        Assert.Equal(230, (await schedule.DigestEntriesAsync(due, default)).Count);
        Assert.True(await schedule.TryRemoveAsync(due, default));
        Assert.Empty(await schedule.DueAsync(long.MaxValue, 10, default));
        Assert.Empty(await schedule.DigestEntriesAsync(due, default));
    }

    [Fact]
    public async Task Rate_state_is_written_only_at_the_version_it_was_read_at()
    {
        var (_, rates) = await CreateAsync(nameof(Rate_state_is_written_only_at_the_version_it_was_read_at));
        var (empty, none) = await rates.GetAsync("email\na@example.com", default);
        Assert.Empty(empty);
        Assert.Null(none);
        Assert.True(await rates.TryPutAsync("email\na@example.com", [10, 11], null, default));
        Assert.False(await rates.TryPutAsync("email\na@example.com", [12], null, default));
        var (recent, version) = await rates.GetAsync("email\na@example.com", default);
        Assert.Equal([10L, 11L], recent);
        Assert.True(await rates.TryPutAsync("email\na@example.com", [.. Enumerable.Range(0, 1_000).Select(i => (long)i)], version, default));
        Assert.False(await rates.TryPutAsync("email\na@example.com", [30], version, default));
        Assert.Equal(1_000, (await rates.GetAsync("email\na@example.com", default)).Recent.Length);
    }

    private static DigestEntry Entry(string id, long at) => new(id, Encoding.UTF8.GetBytes($$"""{"id":"{{id}}"}"""), at);
}

public sealed class InMemoryNotificationScheduleTests : NotificationScheduleContract
{
    protected override Task<(INotificationSchedule, IRateLimitStore)> CreateAsync(string testName) =>
        Task.FromResult<(INotificationSchedule, IRateLimitStore)>((new InMemoryNotificationSchedule(), new InMemoryRateLimitStore()));
}

[Collection(AzuriteCollection.Name)]
public sealed class AzureNotificationScheduleTests(AzuriteFixture azurite) : NotificationScheduleContract
{
    protected override async Task<(INotificationSchedule, IRateLimitStore)> CreateAsync(string testName)
    {
        var table = await azurite.NewTableAsync(testName);
        var schedule = new AzureNotificationSchedule(table);
        await schedule.EnsureCreatedAsync(default);
        return (schedule, new AzureRateLimitStore(table));
    }
}
