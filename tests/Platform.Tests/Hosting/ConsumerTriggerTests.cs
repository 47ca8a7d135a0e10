using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Platform.Core.Consumers;
using Platform.Tests.Consumers;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Hosting;

/// <summary>The local host runs the queue- and timer-triggered consumer functions as the Functions host would.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ConsumerTriggerTests(AzuriteFixture azurite)
{
    private static async Task WaitForAsync(Func<bool> condition, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "not delivered in time");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task A_wake_up_message_runs_the_job_soon_after_the_append()
    {
        var handler = new RecordingHandler();
        await using LocalHost host = await LocalHost.StartAsync(azurite, nameof(A_wake_up_message_runs_the_job_soon_after_the_append),
            b => b.Services.AddSingleton(new ConsumerRegistration("alerts", "events", handler)),
            ("Platform:Consumers:SweepSchedule", "0 0 0 1 1 *")); // the sweep would not come for months
        (await host.Client.PostAsJsonAsync("/api/topics", new { name = "events", partitions = 2 })).EnsureSuccessStatusCode();

        for (int i = 0; i < 5; i++)
        {
            (await host.Client.PostAsync("/api/topics/events/records", new StringContent($"{{\"key\":\"k{i}\",\"value\":\"e{i}\"}}", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        }

        await WaitForAsync(() => handler.Seen.Count >= 5, TimeSpan.FromSeconds(15));
        Assert.Equal(["e0", "e1", "e2", "e3", "e4"], handler.Seen.Select(s => s.Value).Order());

        JsonElement lag = await host.Client.GetFromJsonAsync<JsonElement>("/api/groups/alerts/topics/events");
        Assert.Equal(0, lag.GetProperty("lag").GetInt64());
        JsonElement reset = await (await host.Client.PostAsJsonAsync("/api/groups/alerts/topics/events/reset", new { to = "earliest" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(5, reset.GetProperty("lag").GetInt64());
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, (await host.Client.PostAsJsonAsync("/api/groups/alerts/topics/events/reset", new { to = "yesterday" })).StatusCode);
    }

    [Fact]
    public async Task Without_wake_ups_the_timer_sweep_delivers()
    {
        var handler = new RecordingHandler();
        await using LocalHost host = await LocalHost.StartAsync(azurite, nameof(Without_wake_ups_the_timer_sweep_delivers),
            b => b.Services.AddSingleton(new ConsumerRegistration("audit", "events", handler)),
            ("Platform:Consumers:Wakeups", "false"), ("Platform:Consumers:SweepSchedule", "*/1 * * * * *"));
        (await host.Client.PostAsJsonAsync("/api/topics", new { name = "events", partitions = 1 })).EnsureSuccessStatusCode();
        (await host.Client.PostAsync("/api/topics/events/records", new StringContent("[{\"value\":\"a\"},{\"value\":\"b\"}]", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        await WaitForAsync(() => handler.Seen.Count >= 2, TimeSpan.FromSeconds(15));
        Assert.Equal(["a", "b"], handler.Seen.Select(s => s.Value).Order());
    }
}
