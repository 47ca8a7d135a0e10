using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.DependencyInjection;
using Platform.Core.Consumers;
using Platform.Local.Functions;
using Platform.Tests.Consumers;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Hosting;

/// <summary>
/// The local host follows host.json where it stands in for the Functions host, so that a queue setting that would break
/// on Azure breaks here too: message encoding, dequeue count and poison queue, visibility after a failure.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class HostJsonContractTests(AzuriteFixture azurite)
{
    [Fact]
    public void The_apps_host_json_says_base64_which_is_what_the_platform_sends()
    {
        QueueSettings settings = HostJson.Queues(AppContext.BaseDirectory);
        Assert.True(settings.Base64, "host.json must say extensions.queues.messageEncoding = base64: the platform sends Base64 wake-ups, as the queue extension expects by default");
        Assert.Equal(5, settings.MaxDequeueCount);
        Assert.Equal(QueueSettings.Defaults.MessageEncoding, settings.MessageEncoding);
    }

    [Fact]
    public async Task Wake_ups_are_decoded_as_host_json_says_and_a_body_that_does_not_decode_goes_to_the_poison_queue()
    {
        string dir = Directory.CreateTempSubdirectory("hostjson").FullName;
        await File.WriteAllTextAsync(Path.Combine(dir, "host.json"), """
            { "version": "2.0", "extensions": { "http": { "routePrefix": "api" },
              "queues": { "messageEncoding": "base64", "maxDequeueCount": 2, "visibilityTimeout": "00:00:00", "maxPollingInterval": "00:00:00.200", "batchSize": 4 } } }
            """);
        string queueName = "hostjson-" + Guid.NewGuid().ToString("N")[..12];
        var handler = new RecordingHandler();
        await using LocalHost host = await LocalHost.StartAsync(azurite, nameof(Wake_ups_are_decoded_as_host_json_says_and_a_body_that_does_not_decode_goes_to_the_poison_queue),
            b => b.Services.AddSingleton(new ConsumerRegistration("g", "events", handler)),
            ("Platform:Local:HostJsonDirectory", dir), ("Platform:Consumers:SweepSchedule", "0 0 0 1 1 *"), ("Platform:Consumers:Wakeups", "false"), ("Platform:Consumers:WakeupQueue", queueName));
        (await host.Client.PostAsync("/api/topics", new StringContent("""{"name":"events","partitions":1}""", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        (await host.Client.PostAsync("/api/topics/events/records", new StringContent("""{"value":"woken"}""", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();

        var raw = new QueueClient(azurite.ConnectionString, queueName); // no encoding: bodies exactly as given
        await raw.CreateIfNotExistsAsync();
        await raw.SendMessageAsync("{\"topic\":\"events\",\"partition\":0}"); // plain JSON: not Base64, as the extension would see it
        await raw.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(new WakeupMessage("events", 0).ToJson())));

        var poison = new QueueClient(azurite.ConnectionString, queueName + "-poison");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        PeekedMessage[] poisoned = [];
        int left = -1;
        while (DateTime.UtcNow < deadline && (poisoned.Length == 0 || handler.Seen.IsEmpty || left != 0))
        {
            await Task.Delay(100);
            poisoned = (await poison.ExistsAsync()).Value ? (await poison.PeekMessagesAsync(10)).Value : [];
            left = (await raw.GetPropertiesAsync()).Value.ApproximateMessagesCount;
        }

        Assert.Equal(["woken"], handler.Seen.Select(s => s.Value).Distinct()); // the Base64 wake-up ran the job
        PeekedMessage bad = Assert.Single(poisoned); // the plain one does not decode: moved at once, as the extension does, body untouched
        Assert.Equal("{\"topic\":\"events\",\"partition\":0}", bad.Body.ToString());
        Assert.Equal(0, left);
        _ = JsonDocument.Parse(bad.Body.ToString());
    }
}
