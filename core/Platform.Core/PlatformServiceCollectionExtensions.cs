using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Platform.Core.Consumers;
using Platform.Core.Alerting;
using Platform.Core.Consumers.Elasticsearch;
using Platform.Core.Consumers.Notifications;
using Platform.Core.Metrics;
using Platform.Core.Ingestion;
using Platform.Core.Log;
using Platform.Core.Security;
using Platform.Core.Storage.Azure;
using Platform.Core.Streams;

namespace Platform.Core;

/// <summary>Registers the whole platform; both hosts call this. Each feature registers itself beside its folder.</summary>
public static class PlatformServiceCollectionExtensions
{
    /// <summary>
    /// Storage on Azure, the log engine, ingestion (records and OTLP), API keys, the consumer runtime, the
    /// Elasticsearch router, the metrics jobs with the PromQL engine, and alerting: every options class bound from <c>Platform:*</c> and validated at start.
    /// </summary>
    public static IServiceCollection AddPlatform(this IServiceCollection services, IConfiguration configuration) =>
        services
            .AddAzureStorage(configuration)
            .AddLog(configuration)
            .AddIngestion(configuration)
            .AddOtlpIngestion(configuration)
            .AddApiKeys(configuration)
            .AddConsumers(configuration)
            .AddElasticsearchRouter(configuration)
            .AddMetrics(configuration)
            .AddAlerting(configuration)
            .AddNotifications(configuration)
            .AddStreams(configuration);
}
