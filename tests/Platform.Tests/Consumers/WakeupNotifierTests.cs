using Azure.Storage.Queues;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.Core.Consumers;
using Platform.Core.Log;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Consumers;

/// <summary>Wake-ups go out for topics some job reads, and for no other: a wake-up nobody handles is a queue send and delete for nothing.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class WakeupNotifierTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Only_topics_a_job_reads_are_announced()
    {
        var queue = new QueueClient(azurite.ConnectionString, $"wake-{Guid.NewGuid():N}"[..20], new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await queue.CreateAsync();
        await using var notifier = new WakeupNotifier(queue, Microsoft.Extensions.Options.Options.Create(new ConsumerOptions()), TimeProvider.System, NullLogger<WakeupNotifier>.Instance, topic => topic == "read");

        notifier.OnAppended(new TopicPartition("unread", 0));
        notifier.OnAppended(new TopicPartition("read", 1));
        await notifier.DisposeAsync(); // waits for the sends under way

        var messages = (await queue.ReceiveMessagesAsync(32)).Value;
        WakeupMessage? wakeup = Assert.Single(messages.Select(m => WakeupMessage.TryParse(m.Body.ToString())));
        Assert.Equal(("read", 1), (wakeup!.Topic, wakeup.Partition));
    }
}
