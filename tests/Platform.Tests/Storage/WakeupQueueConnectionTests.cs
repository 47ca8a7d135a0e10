using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Platform.Core.Options;
using Platform.Core.Storage.Azure;

namespace Platform.Tests.Storage;

/// <summary>The wake-up sender finds its queue through the trigger's own connection setting, in every form the Functions host reads.</summary>
public sealed class WakeupQueueConnectionTests
{
    private static readonly StorageOptions Data = new() { ConnectionString = "DefaultEndpointsProtocol=https;AccountName=data;AccountKey=ZGF0YQ==;EndpointSuffix=core.windows.net" };

    private static QueueClient Queue(params (string Key, string Value)[] settings) =>
        StorageClients.WakeupQueue(new ConfigurationBuilder().AddInMemoryCollection(settings.ToDictionary(s => s.Key, s => (string?)s.Value)).Build(), Data, "platform-wakeups");

    [Fact]
    public void A_connection_string_an_identity_based_connection_or_else_the_platforms_storage()
    {
        Assert.Equal("host", Queue(("AzureWebJobsStorage", "DefaultEndpointsProtocol=https;AccountName=host;AccountKey=aG9zdA==;EndpointSuffix=core.windows.net")).AccountName);
        Assert.Equal(new Uri("https://flexhost.queue.core.windows.net/platform-wakeups"), Queue(("AzureWebJobsStorage:accountName", "flexhost"), ("AzureWebJobsStorage:clientId", "00000000-0000-0000-0000-000000000001")).Uri);
        Assert.Equal(new Uri("https://custom.example/platform-wakeups"), Queue(("AzureWebJobsStorage:queueServiceUri", "https://custom.example")).Uri);
        Assert.Equal("data", Queue().AccountName);
    }
}
