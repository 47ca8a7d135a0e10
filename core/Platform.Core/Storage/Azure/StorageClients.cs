using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Identity;
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
        return new BlobServiceClient(options.ConnectionString, WithRetry(new BlobClientOptions(), options, "blob"));
    }

    /// <summary>The table service.</summary>
    public static TableServiceClient Tables(StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new TableServiceClient(options.ConnectionString, WithRetry(new TableClientOptions(), options, "table"));
    }

    /// <summary>
    /// One queue whose messages are Base64, as the Functions queue extension (5.x) expects by default and as host.json
    /// says (<c>extensions.queues.messageEncoding</c>); the client encodes on send and decodes on receive.
    /// </summary>
    public static QueueClient Queue(StorageOptions options, string name) => Queue(options, name, QueueMessageEncoding.Base64);

    /// <summary>
    /// The wake-up queue, in the account of <see cref="Consumers.WakeupMessage.ConnectionSetting"/>, where the queue
    /// trigger listens (see <see cref="QueueThroughSetting"/>); without that setting, the platform's storage.
    /// </summary>
    public static QueueClient WakeupQueue(IConfiguration configuration, StorageOptions options, string name) =>
        QueueThroughSetting(configuration, Consumers.WakeupMessage.ConnectionSetting, options, options, name, QueueMessageEncoding.Base64);

    /// <summary>
    /// A queue in the account a connection setting names, read the way the Functions host reads a trigger's
    /// <c>Connection</c>: a connection string, or an identity-based connection (<c>__queueServiceUri</c>,
    /// <c>__serviceUri</c> or <c>__accountName</c>, with <c>__clientId</c> for a user-assigned identity, as Flex
    /// Consumption sets up by default). Without the setting: <paramref name="fallback"/>, or an error naming it.
    /// </summary>
    public static QueueClient QueueThroughSetting(IConfiguration configuration, string setting, StorageOptions? fallback, StorageOptions retries, string name, QueueMessageEncoding encoding)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(retries);
        string? connection = configuration[setting];
        if (!string.IsNullOrWhiteSpace(connection))
        {
            return Queue(new StorageOptions { ConnectionString = connection, TryTimeout = retries.TryTimeout, MaxRetries = retries.MaxRetries }, name, encoding);
        }

        IConfigurationSection identity = configuration.GetSection(setting);
        string? serviceUri = identity["queueServiceUri"] ?? identity["serviceUri"]
            ?? (identity["accountName"] is { Length: > 0 } account ? $"https://{account}.queue.core.windows.net" : null);
        if (serviceUri is null)
        {
            return fallback is not null
                ? Queue(fallback, name, encoding)
                : throw new InvalidOperationException($"The queue '{name}' is read through the setting '{setting}', which is not set.");
        }

        TokenCredential credential = identity["clientId"] is { Length: > 0 } clientId
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new DefaultAzureCredential();
        var queueUri = new Uri(new Uri(serviceUri.TrimEnd('/') + "/"), name);
        return new QueueClient(queueUri, credential, WithRetry(new QueueClientOptions { MessageEncoding = encoding }, retries, "queue"));
    }

    /// <summary>One queue with the given message encoding.</summary>
    public static QueueClient Queue(StorageOptions options, string name, QueueMessageEncoding encoding)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new QueueClient(options.ConnectionString, name, WithRetry(new QueueClientOptions { MessageEncoding = encoding }, options, "queue"));
    }

    private static T WithRetry<T>(T client, StorageOptions options, string service)
        where T : ClientOptions
    {
        client.AddPolicy(new StorageRequestMetrics(service), HttpPipelinePosition.PerRetry);
        client.Retry.NetworkTimeout = options.TryTimeout;
        client.Retry.MaxRetries = options.MaxRetries;
        client.Retry.Mode = RetryMode.Exponential;
        return client;
    }
}
