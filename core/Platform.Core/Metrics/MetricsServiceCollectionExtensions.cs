using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Platform.Core.Consumers;
using Platform.Core.Ingestion.Otlp;
using Platform.Core.Metrics.Aggregation;
using Platform.Core.Metrics.Query;
using Platform.Core.Options;
using Platform.Promql.Engine;

namespace Platform.Core.Metrics;

/// <summary>Registers the metrics aggregation jobs and the PromQL engine over stored series.</summary>
public static class MetricsServiceCollectionExtensions
{
    /// <summary>Binds <c>Platform:Metrics</c> (validated at start), the jobs on the OTLP topics and the query engine.</summary>
    public static IServiceCollection AddMetrics(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<MetricsOptions, MetricsOptionsValidator>(configuration, MetricsOptions.SectionName);
        services.TryAddSingleton<MetricsTelemetry>();
        services.TryAddSingleton<SampleWriter>();
        services.TryAddSingleton<MetricsAggregator>();
        services.TryAddSingleton<StoredSeriesQuerier>();
        services.TryAddSingleton<Api.PrometheusApi>();
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<MetricsOptions>>().Value;
            return new QueryEngine(new EngineOptions { MaxSamples = options.QueryMaxSamples, Timeout = options.QueryTimeout, LookbackDelta = options.LookbackDelta });
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConsumerJob, MetricsJob>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConsumerJob, LogCountsJob>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConsumerJob, SpanCountsJob>());
        return services;
    }

    // A batch that fails for storage reasons pauses its partition (no commit) and is tried again on the next run:
    // dead-lettering it would skip samples whose chunks may be half written, and fake a counter reset.
    private sealed class MetricsJob(IOptions<MetricsOptions> options, IOptions<OtlpOptions> otlp, IServiceProvider services) : IConsumerJob
    {
        public ConsumerRegistration? Registration => options.Value.Enabled
            ? new ConsumerRegistration(options.Value.Group, otlp.Value.MetricsTopic, services.GetRequiredService<MetricsAggregator>(), OffsetReset.Earliest, DeadLetterRetriable: false)
            : null;
    }

    private sealed class LogCountsJob(IOptions<MetricsOptions> options, IOptions<OtlpOptions> otlp, IServiceProvider services) : IConsumerJob
    {
        public ConsumerRegistration? Registration => options.Value.Enabled && options.Value.DeriveFromLogsAndTraces
            ? new ConsumerRegistration(options.Value.Group + "-logs", otlp.Value.LogsTopic, services.GetRequiredService<MetricsAggregator>(), OffsetReset.Earliest, DeadLetterRetriable: false)
            : null;
    }

    private sealed class SpanCountsJob(IOptions<MetricsOptions> options, IOptions<OtlpOptions> otlp, IServiceProvider services) : IConsumerJob
    {
        public ConsumerRegistration? Registration => options.Value.Enabled && options.Value.DeriveFromLogsAndTraces
            ? new ConsumerRegistration(options.Value.Group + "-traces", otlp.Value.TracesTopic, services.GetRequiredService<MetricsAggregator>(), OffsetReset.Earliest, DeadLetterRetriable: false)
            : null;
    }
}
