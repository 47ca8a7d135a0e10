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
        BlobClientOptions client = WithRetry(new BlobClientOptions(), options, "blob");
        return options.UsesConnectionString
            ? new BlobServiceClient(options.ConnectionString, client)
            : new BlobServiceClient(ServiceUri(options, "blob"), Credential(options), client);
    }

    /// <summary>The table service.</summary>
    public static TableServiceClient Tables(StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        TableClientOptions client = WithRetry(new TableClientOptions(), options, "table");
        return options.UsesConnectionString
            ? new TableServiceClient(options.ConnectionString, client)
            : new TableServiceClient(ServiceUri(options, "table"), Credential(options), client);
    }

    /// <summary>
    /// The URI of one service (<c>blob</c>, <c>table</c> or <c>queue</c>) for identity-based access: the configured
    /// service URI, or the public cloud's endpoint of the account.
    /// </summary>
    public static Uri ServiceUri(StorageOptions options, string service)
    {
        ArgumentNullException.ThrowIfNull(options);
        Uri? configured = service switch
        {
            "blob" => options.BlobServiceUri,
            "table" => options.TableServiceUri,
            "queue" => options.QueueServiceUri,
            _ => throw new ArgumentOutOfRangeException(nameof(service), service, "blob, table or queue"),
        };
        return configured
            ?? (options.AccountName is { Length: > 0 } account
                ? new Uri($"https://{account}.{service}.core.windows.net")
                : throw new InvalidOperationException($"{StorageOptions.SectionName}: neither ConnectionString, AccountName nor a {service} service URI is set."));
    }

    /// <summary>The identity the platform reaches storage with when it has no connection string.</summary>
    public static TokenCredential Credential(StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.ManagedIdentityClientId is { Length: > 0 } clientId
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new DefaultAzureCredential();
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

        var viaIdentity = new StorageOptions { QueueServiceUri = new Uri(serviceUri), ManagedIdentityClientId = identity["clientId"], TryTimeout = retries.TryTimeout, MaxRetries = retries.MaxRetries };
        return Queue(viaIdentity, name, encoding);
    }

    /// <summary>One queue with the given message encoding.</summary>
    public static QueueClient Queue(StorageOptions options, string name, QueueMessageEncoding encoding)
    {
        ArgumentNullException.ThrowIfNull(options);
        QueueClientOptions client = WithRetry(new QueueClientOptions { MessageEncoding = encoding }, options, "queue");
        return options.UsesConnectionString
            ? new QueueClient(options.ConnectionString, name, client)
            : new QueueClient(new Uri(new Uri(ServiceUri(options, "queue").ToString().TrimEnd('/') + "/"), name), Credential(options), client);
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
