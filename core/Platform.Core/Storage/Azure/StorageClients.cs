using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
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

    /// <summary>One queue.</summary>
    public static QueueClient Queue(StorageOptions options, string name)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new QueueClient(options.ConnectionString, name, WithRetry(new QueueClientOptions(), options));
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
