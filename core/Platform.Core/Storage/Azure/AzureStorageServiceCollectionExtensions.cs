using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Platform.Core.Options;

namespace Platform.Core.Storage.Azure;

/// <summary>Registers the Azure Storage implementations of every storage seam.</summary>
public static class AzureStorageServiceCollectionExtensions
{
    /// <summary>
    /// Binds <c>Platform:Storage</c> (validated at start), the storage clients, and the Azure implementations of the
    /// segment store, indexes, topic store and consumer state, each also provisioned at start.
    /// </summary>
    public static IServiceCollection AddAzureStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<StorageOptions, StorageOptionsValidator>(configuration, StorageOptions.SectionName);
        services.TryAddSingleton(sp => StorageClients.Blobs(sp.GetRequiredService<IOptions<StorageOptions>>().Value));
        services.TryAddSingleton(sp => StorageClients.Tables(sp.GetRequiredService<IOptions<StorageOptions>>().Value));

        // Segments in the main account and in any SegmentAccounts, each partition where its topic placed it.
        services.TryAddSingleton(sp => new Log.Topics.TopicPlacement(sp.GetRequiredService<IOptions<StorageOptions>>().Value.SegmentAccounts.Keys));
        services.AddStore<ISegmentStore, PlacedSegmentStore>(sp =>
        {
            StorageOptions options = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            var accounts = new Dictionary<string, AzureSegmentStore>(StringComparer.Ordinal)
            {
                [Log.Topics.TopicPlacement.Primary] = new(sp.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(options.LogContainer)),
            };
            foreach ((string label, StorageOptions account) in options.SegmentAccounts)
            {
                account.TryTimeout = options.TryTimeout;
                account.MaxRetries = options.MaxRetries;
                account.ManagedIdentityClientId ??= options.ManagedIdentityClientId; // the app's one identity, unless another is named
                accounts[label] = new AzureSegmentStore(StorageClients.Blobs(account).GetBlobContainerClient(options.LogContainer));
            }

            return new PlacedSegmentStore(accounts, sp.GetRequiredService<Log.Topics.TopicManager>());
        });
        services.AddStore<IOffsetIndex, AzureOffsetIndex>(sp => new AzureOffsetIndex(Table(sp, StorageNames.OffsetIndexTable), Table(sp, StorageNames.TimeIndexTable)));
        services.AddStore<ITopicStore, AzureTopicStore>(sp => new AzureTopicStore(Table(sp, StorageNames.TopicsTable)));
        services.AddStore<IKeyedViewStore, AzureKeyedViewStore>(sp => new AzureKeyedViewStore(Table(sp, StorageNames.KeyedViewTable)));
        services.AddStore<ICheckpointStore, AzureCheckpointStore>(sp => new AzureCheckpointStore(Table(sp, StorageNames.ConsumerGroupsTable)));
        services.AddStore<IOwnershipStore, AzureOwnershipStore>(sp => new AzureOwnershipStore(Table(sp, StorageNames.OwnershipTable)));
        services.AddStore<IMetricStore, AzureMetricStore>(sp => new AzureMetricStore(
            Table(sp, StorageNames.MetricSeriesTable), Table(sp, StorageNames.MetricChunksTable), Table(sp, StorageNames.MetricStateTable)));
        services.AddStore<INotificationStore, AzureNotificationStore>(sp => new AzureNotificationStore(Table(sp, StorageNames.NotificationsTable)));
        services.AddStore<INotificationSchedule, AzureNotificationSchedule>(sp => new AzureNotificationSchedule(Table(sp, StorageNames.NotificationScheduleTable)));
        services.AddStore<IRateLimitStore, AzureRateLimitStore>(sp => new AzureRateLimitStore(Table(sp, StorageNames.NotificationRatesTable)));
        services.AddStore<IStreamStore, AzureStreamStore>(sp => new AzureStreamStore(
            Table(sp, StorageNames.StreamJobsTable), Table(sp, StorageNames.StreamStateTable), Table(sp, StorageNames.StreamResultsTable)));
        services.AddStore<IRouterStore, AzureRouterStore>(sp => new AzureRouterStore(Table(sp, StorageNames.RouterTable)));
        services.TryAddSingleton(sp => new AzureAlertingStore(Table(sp, StorageNames.AlertingTable)));
        services.TryAddSingleton<IRuleStore>(sp => sp.GetRequiredService<AzureAlertingStore>());
        services.TryAddSingleton<IAlertStateStore>(sp => sp.GetRequiredService<AzureAlertingStore>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProvisionedStore, AzureAlertingStore>(sp => sp.GetRequiredService<AzureAlertingStore>()));
        return services;
    }

    /// <summary>The table <c>{prefix}{suffix}</c> of the configured account.</summary>
    public static TableClient Table(IServiceProvider services, string suffix)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.GetRequiredService<TableServiceClient>().GetTableClient(services.GetRequiredService<IOptions<StorageOptions>>().Value.TablePrefix + suffix);
    }

    /// <summary>Registers a store once, as itself, as its seam and as something to provision at start.</summary>
    private static void AddStore<TSeam, TStore>(this IServiceCollection services, Func<IServiceProvider, TStore> create)
        where TSeam : class
        where TStore : class, TSeam, IProvisionedStore
    {
        services.TryAddSingleton(create);
        services.TryAddSingleton<TSeam>(sp => sp.GetRequiredService<TStore>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProvisionedStore, TStore>(sp => sp.GetRequiredService<TStore>()));
    }
}
