using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.Core.Consumers;
using Platform.Core.Storage;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Consumers;

/// <summary>
/// Wake-ups on a platform that runs queue triggers on any instance (Flex Consumption): a wake-up for a partition held
/// elsewhere is not lost, and an instance that shuts down hands its partitions over at once.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class WakeupDeliveryTests(AzuriteFixture azurite)
{
    private sealed class RecordingDeferrer : IWakeupDeferrer
    {
        public List<(WakeupMessage Wakeup, TimeSpan Delay)> Deferred { get; } = [];

        public Task DeferAsync(WakeupMessage wakeup, TimeSpan delay, CancellationToken cancellationToken)
        {
            lock (Deferred)
            {
                Deferred.Add((wakeup, delay));
            }

            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task A_wake_up_on_an_instance_that_does_not_hold_the_partition_comes_again_when_the_claim_would_lapse_and_a_leave_hands_over_at_once()
    {
        await using ConsumerRig rig = ConsumerRig.InMemory();
        string topic = await rig.TopicAsync("woken", 1);
        var options = new ConsumerOptions { ClaimDuration = TimeSpan.FromSeconds(20), RetryBackoff = TimeSpan.FromMilliseconds(10) };
        var handler = new RecordingHandler();
        var registration = new ConsumerRegistration("g", topic, handler);
        ConsumerRunner holder = rig.Runner("holder", options), woken = rig.Runner("woken", options);
        await holder.RunAsync(registration, default); // holds partition 0 from now on

        await rig.Engine.Producer.ProduceAsync(topic, [Records.Text("after the holder ran")], default);
        var deferrer = new RecordingDeferrer();
        var wakeups = new WakeupHandler(new ConsumerRegistry([registration], []), woken, rig.Groups, deferrer, Microsoft.Extensions.Options.Options.Create(options), NullLogger<WakeupHandler>.Instance);
        string message = new WakeupMessage(topic, 0).ToJson();

        await wakeups.HandleAsync(message, default);
        Assert.Empty(handler.Seen); // not held here: nothing handled, and the wake-up is not dropped either
        (WakeupMessage again, TimeSpan delay) = Assert.Single(deferrer.Deferred);
        Assert.Equal((topic, 0, 1), (again.Topic, again.Partition, again.Hops));
        Assert.InRange(delay, options.ClaimDuration, options.ClaimDuration + TimeSpan.FromSeconds(2));

        // However many jobs read the topic, one wake-up is sent again once; and never more than MaxHops times.
        var twoJobs = new WakeupHandler(new ConsumerRegistry([registration, new ConsumerRegistration("g2", topic, new RecordingHandler())], []), woken, rig.Groups, deferrer, Microsoft.Extensions.Options.Options.Create(options), NullLogger<WakeupHandler>.Instance);
        await twoJobs.HandleAsync(again.ToJson(), default);
        Assert.Equal(2, deferrer.Deferred.Count);
        Assert.Equal(2, deferrer.Deferred[^1].Wakeup.Hops);
        await twoJobs.HandleAsync((again with { Hops = WakeupHandler.MaxHops }).ToJson(), default);
        Assert.Equal(2, deferrer.Deferred.Count);
        deferrer.Deferred.RemoveRange(1, 1);

        await holder.LeaveAsync(registration, default); // shutdown: the claim is released, not left to lapse
        await wakeups.HandleAsync(message, default);
        Assert.Equal(["after the holder ran"], handler.Seen.Select(s => s.Value));
        Assert.Single(deferrer.Deferred);

        await wakeups.HandleAsync(message, default); // nothing left to deliver: no deferral
        Assert.Single(deferrer.Deferred);
    }

    [Fact]
    public async Task A_local_host_that_stops_releases_its_claims()
    {
        var handler = new RecordingHandler();
        LocalHost host = await LocalHost.StartAsync(azurite, nameof(A_local_host_that_stops_releases_its_claims),
            b => b.Services.AddSingleton(new ConsumerRegistration("leaving", "events", handler)));
        IOwnershipStore ownership = host.Platform.Services.GetRequiredService<IOwnershipStore>();
        try
        {
            (await host.Client.PostAsync("/api/topics", new StringContent("""{"name":"events","partitions":2}""", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
            (await host.Client.PostAsync("/api/topics/events/records", new StringContent("""[{"value":"a","partition":0},{"value":"b","partition":1}]""", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (handler.Seen.Count < 2 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            OwnershipSnapshot held = await ownership.ListAsync("leaving", "events", default);
            Assert.Equal(2, held.Claims.Count(c => c.IsLive(held.StorageNow)));
        }
        finally
        {
            await host.DisposeAsync();
        }

        OwnershipSnapshot after = await ownership.ListAsync("leaving", "events", default);
        Assert.DoesNotContain(after.Claims, c => c.IsLive(after.StorageNow));
        Assert.Empty(after.LiveMembers);
    }
}
