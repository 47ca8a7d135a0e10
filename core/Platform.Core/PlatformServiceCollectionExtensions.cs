using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Platform.Core.Log.Appending;
using Platform.Core.Log.Reading;
using Platform.Core.Log.Topics;
using Platform.Core.Options;
using Platform.Core.Security;
using Platform.Core.Storage;
using Platform.Core.Storage.Azure;

namespace Platform.Core;

/// <summary>Registers the engine; both hosts call this.</summary>
public static class PlatformServiceCollectionExtensions
{
    /// <summary>
    /// Adds the log engine on Azure Storage: options bound from <c>Platform:*</c> and validated at start,
    /// stores, topic manager, producer and reader, and a hosted service that creates containers and tables.
    /// </summary>
    public static IServiceCollection AddPlatform(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.SectionName)).ValidateOnStart();
        services.AddOptions<LogOptions>().Bind(configuration.GetSection(LogOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LogOptions>, LogOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.TryAddSingleton(sp => StorageClients.Blobs(sp.GetRequiredService<IOptions<StorageOptions>>().Value));
        services.TryAddSingleton(sp => StorageClients.Tables(sp.GetRequiredService<IOptions<StorageOptions>>().Value));
        services.TryAddSingleton(sp =>
        {
            StorageOptions o = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            return new AzureSegmentStore(sp.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(o.LogContainer));
        });
        services.TryAddSingleton(sp =>
        {
            StorageOptions o = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            TableServiceClient tables = sp.GetRequiredService<TableServiceClient>();
            return new AzureOffsetIndex(tables.GetTableClient(o.TablePrefix + StorageNames.OffsetIndexTable), tables.GetTableClient(o.TablePrefix + StorageNames.TimeIndexTable));
        });
        services.TryAddSingleton(sp =>
        {
            StorageOptions o = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            return new AzureTopicStore(sp.GetRequiredService<TableServiceClient>().GetTableClient(o.TablePrefix + StorageNames.TopicsTable));
        });
        services.TryAddSingleton<ISegmentStore>(sp => sp.GetRequiredService<AzureSegmentStore>());
        services.TryAddSingleton<IOffsetIndex>(sp => sp.GetRequiredService<AzureOffsetIndex>());
        services.TryAddSingleton<ITopicStore>(sp => sp.GetRequiredService<AzureTopicStore>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProvisionedStore, AzureSegmentStore>(sp => sp.GetRequiredService<AzureSegmentStore>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProvisionedStore, AzureOffsetIndex>(sp => sp.GetRequiredService<AzureOffsetIndex>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProvisionedStore, AzureTopicStore>(sp => sp.GetRequiredService<AzureTopicStore>()));

        services.AddOptions<Ingestion.IngestOptions>().Bind(configuration.GetSection(Ingestion.IngestOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Ingestion.IngestOptions>, Ingestion.IngestOptionsValidator>());
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>());
        services.TryAddSingleton(sp =>
        {
            StorageOptions o = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            return new ApiKeyStore(sp.GetRequiredService<TableServiceClient>().GetTableClient(o.TablePrefix + StorageNames.ApiKeysTable));
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProvisionedStore, ApiKeyStore>(sp => sp.GetRequiredService<ApiKeyStore>()));
        services.TryAddSingleton<ApiKeyService>();

        services.AddLogEngine();
        services.AddOptions<Consumers.ConsumerOptions>().Bind(configuration.GetSection(Consumers.ConsumerOptions.SectionName)).ValidateOnStart();
        services.TryAddSingleton(sp =>
        {
            StorageOptions o = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            return new AzureCheckpointStore(sp.GetRequiredService<TableServiceClient>().GetTableClient(o.TablePrefix + StorageNames.ConsumerGroupsTable));
        });
        services.TryAddSingleton(sp =>
        {
            StorageOptions o = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            return new AzureOwnershipStore(sp.GetRequiredService<TableServiceClient>().GetTableClient(o.TablePrefix + StorageNames.OwnershipTable));
        });
        services.TryAddSingleton<ICheckpointStore>(sp => sp.GetRequiredService<AzureCheckpointStore>());
        services.TryAddSingleton<IOwnershipStore>(sp => sp.GetRequiredService<AzureOwnershipStore>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProvisionedStore, AzureCheckpointStore>(sp => sp.GetRequiredService<AzureCheckpointStore>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProvisionedStore, AzureOwnershipStore>(sp => sp.GetRequiredService<AzureOwnershipStore>()));
        services.TryAddSingleton<Consumers.DeadLetterWriter>();
        services.TryAddSingleton<Consumers.ConsumerMetrics>();
        services.TryAddSingleton<Consumers.ConsumerRunner>();
        services.TryAddSingleton<Consumers.ConsumerGroups>();
        services.TryAddSingleton<Consumers.ConsumerRegistry>();
        services.TryAddSingleton(sp =>
        {
            StorageOptions o = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            var queue = StorageClients.Queue(o, sp.GetRequiredService<IOptions<Consumers.ConsumerOptions>>().Value.WakeupQueue);
            return new Consumers.WakeupNotifier(queue, sp.GetRequiredService<IOptions<Consumers.ConsumerOptions>>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<Consumers.WakeupNotifier>>());
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Consumers.IAppendListener, Consumers.WakeupNotifier>(sp => sp.GetRequiredService<Consumers.WakeupNotifier>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProvisionedStore, WakeupQueueProvisioner>());
        IConfigurationSection elastic = configuration.GetSection(Consumers.Elasticsearch.ElasticsearchOptions.SectionName);
        services.AddOptions<Consumers.Elasticsearch.ElasticsearchOptions>().Bind(elastic);
        if (!string.IsNullOrWhiteSpace(elastic["Url"]))
        {
            services.TryAddSingleton<Consumers.Elasticsearch.IBulkIndexer>(sp => new Consumers.Elasticsearch.ElasticsearchBulkIndexer(
                Consumers.Elasticsearch.ElasticsearchBulkIndexer.CreateClient(sp.GetRequiredService<IOptions<Consumers.Elasticsearch.ElasticsearchOptions>>().Value)));
            services.TryAddSingleton<Consumers.Elasticsearch.ElasticsearchRouter>();
            services.AddSingleton(sp =>
            {
                var o = sp.GetRequiredService<IOptions<Consumers.Elasticsearch.ElasticsearchOptions>>().Value;
                return new Consumers.ConsumerRegistration(o.Group, o.Topic, sp.GetRequiredService<Consumers.Elasticsearch.ElasticsearchRouter>(), Consumers.OffsetReset.Earliest, DeadLetterRetriable: false);
            });
        }

        services.AddOptions<Ingestion.Otlp.OtlpOptions>().Bind(configuration.GetSection(Ingestion.Otlp.OtlpOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Ingestion.Otlp.OtlpOptions>, Ingestion.Otlp.OtlpOptionsValidator>());
        services.TryAddSingleton<Ingestion.Otlp.OtlpIngestor>();
        services.AddHostedService<Ingestion.Otlp.OtlpTopicsProvisioner>();
        return services;
    }

    /// <summary>Adds the engine over whatever stores are registered (Azure, or in-memory in tests and benchmarks).</summary>
    public static IServiceCollection AddLogEngine(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<LogOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LogOptions>, LogOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<TopicManager>();
        services.TryAddSingleton<Log.LogMetrics>();
        services.TryAddSingleton<OffsetIndexWriter>();
        services.TryAddSingleton<LogProducer>();
        services.TryAddSingleton<LogReader>();
        services.TryAddSingleton<OffsetIndexRebuilder>();
        services.AddHostedService<StorageProvisioner>();
        return services;
    }
}
