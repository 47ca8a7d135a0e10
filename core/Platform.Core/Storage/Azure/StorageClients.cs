using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Platform.Core.Options;

namespace Platform.Core.Storage.Azure;

/// <summary>
/// Every Azure Storage client of the platform, with the per-try timeout and retries of <see cref="StorageOptions"/>:
/// a storage call that hangs fails in bounded time instead of holding a produce call for the SDK's default 100 s a try.
/// </summary>
public static class StorageClients
{
    /// <summary>The blob service.</summary>
    public static BlobServiceClient Blobs(StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new BlobServiceClient(options.ConnectionString, WithRetry(new BlobClientOptions(), options));
    }

    /// <summary>The table service.</summary>
    public static TableServiceClient Tables(StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new TableServiceClient(options.ConnectionString, WithRetry(new TableClientOptions(), options));
    }

    /// <summary>
    /// One queue whose messages are Base64, as the Functions queue extension (5.x) expects by default and as host.json
    /// says (<c>extensions.queues.messageEncoding</c>); the client encodes on send and decodes on receive.
    /// </summary>
    public static QueueClient Queue(StorageOptions options, string name) => Queue(options, name, QueueMessageEncoding.Base64);

    /// <summary>
    /// The wake-up queue, in the account of <see cref="Consumers.WakeupMessage.ConnectionSetting"/> (where the queue
    /// trigger listens), or of the platform's storage when that setting is absent.
    /// </summary>
    public static QueueClient WakeupQueue(IConfiguration configuration, StorageOptions options, string name)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);
        string? connection = configuration[Consumers.WakeupMessage.ConnectionSetting];
        return Queue(string.IsNullOrWhiteSpace(connection) ? options : new StorageOptions { ConnectionString = connection, TryTimeout = options.TryTimeout, MaxRetries = options.MaxRetries }, name);
    }

    /// <summary>One queue with the given message encoding.</summary>
    public static QueueClient Queue(StorageOptions options, string name, QueueMessageEncoding encoding)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new QueueClient(options.ConnectionString, name, WithRetry(new QueueClientOptions { MessageEncoding = encoding }, options));
    }

    private static T WithRetry<T>(T client, StorageOptions options)
        where T : ClientOptions
    {
        client.Retry.NetworkTimeout = options.TryTimeout;
        client.Retry.MaxRetries = options.MaxRetries;
        client.Retry.Mode = RetryMode.Exponential;
        return client;
    }
}
