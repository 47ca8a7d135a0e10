using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using OpenTelemetry.Resources;
using Platform.Core.Consumers;
using Platform.Core.Log;

namespace Platform.Functions;

/// <summary>
/// The platform's own telemetry: traces (source <c>Platform</c>: a span per produce call and per batch a consumer group
/// handles), warnings and errors of its logs, and metrics (meters <c>Platform.Log</c>, <c>Platform.Consumers</c> and <c>Platform.Storage</c>: consumer
/// lag, records, dead letters, producer ids, storage requests by operation and status; and the runtime's own meter
/// <c>System.Runtime</c>: GC, JIT, thread pool, exceptions) exported where operators look: Azure Monitor when
/// <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set (as it is on a Function App with Application Insights), any
/// OTLP endpoint when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (with the usual <c>OTEL_*</c> variables).
/// </summary>
public static class SelfTelemetry
{
    /// <summary>The app setting that turns the Azure Monitor exporter on.</summary>
    public const string AzureMonitorSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>The .NET runtime's built-in meter (<c>dotnet.gc.*</c>, <c>dotnet.jit.*</c>, <c>dotnet.thread_pool.*</c>, …).</summary>
    public const string RuntimeMeter = "System.Runtime";

    /// <summary>The standard variable that turns the OTLP exporter on.</summary>
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Adds the metrics pipeline and the exporters the environment asks for.</summary>
    public static IServiceCollection AddSelfTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        string? azureMonitor = configuration[AzureMonitorSetting];
        bool otlp = !string.IsNullOrWhiteSpace(configuration[OtlpEndpointSetting]);
        if (string.IsNullOrWhiteSpace(azureMonitor) && !otlp)
        {
            return services;
        }

        // Spans of produce calls to the OTLP topics are not exported: exporting to the platform's own OTLP endpoint
        // would otherwise trace every export of its own telemetry, without end.
        double traceRatio = double.TryParse(configuration["Platform:Telemetry:TraceRatio"], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double ratio)
            ? Math.Clamp(ratio, 0, 1)
            : 0.01;
        var otlpTopics = new HashSet<string>(StringComparer.Ordinal)
        {
            configuration["Platform:Otlp:LogsTopic"] ?? "otlp.logs",
            configuration["Platform:Otlp:MetricsTopic"] ?? Platform.Core.Ingestion.Otlp.OtlpOptions.DefaultMetricsTopic,
            configuration["Platform:Otlp:TracesTopic"] ?? "otlp.traces",
        };
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(configuration["OTEL_SERVICE_NAME"] ?? "platform"))
            .WithTracing(tracing =>
            {
                // Our own ratio (Platform:Telemetry:TraceRatio, default 1 %): the host's request activity, which is not
                // exported and so not sampled, must not decide for ours, and every span of every call would cost more in
                // Application Insights than the storage the call used.
                tracing.AddSource(Platform.Core.PlatformTracing.SourceName).SetSampler(new TraceIdRatioBasedSampler(traceRatio)).AddProcessor(new SkipTopics(otlpTopics));
                if (!string.IsNullOrWhiteSpace(azureMonitor))
                {
                    tracing.AddAzureMonitorTraceExporter(o => o.ConnectionString = azureMonitor);
                }

                if (otlp)
                {
                    tracing.AddOtlpExporter();
                }
            })
            .WithLogging(
                logging =>
                {
                    // To OTLP only: on Azure the Functions host already forwards the worker's logs to Application Insights.
                    if (otlp)
                    {
                        logging.AddOtlpExporter();
                    }
                },
                options => options.IncludeFormattedMessage = true)
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(LogMetrics.MeterName, ConsumerMetrics.MeterName, Platform.Core.Metrics.MetricsTelemetry.MeterName, Platform.Core.Alerting.AlertingTelemetry.MeterName, Platform.Core.Consumers.Notifications.NotificationTelemetry.MeterName, Platform.Core.Storage.Azure.StorageRequestMetrics.MeterName, Platform.Core.Streams.Running.StreamMetrics.MeterName);
                metrics.AddMeter(RuntimeMeter); // the runtime's own: GC, JIT, thread pool, exceptions, lock contention
                if (!string.IsNullOrWhiteSpace(azureMonitor))
                {
                    metrics.AddAzureMonitorMetricExporter(o => o.ConnectionString = azureMonitor);
                }

                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });
        // Warnings and errors only: information-level lines of every request, exported to the platform's own endpoint,
        // would make a request per request.
        services.AddLogging(builder => builder.AddFilter<OpenTelemetryLoggerProvider>(string.Empty, LogLevel.Warning));
        return services;
    }

    /// <summary>Drops spans about the given topics before they are recorded.</summary>
    private sealed class SkipTopics(HashSet<string> topics) : OpenTelemetry.BaseProcessor<System.Diagnostics.Activity>
    {
        public override void OnStart(System.Diagnostics.Activity data)
        {
            if (data.GetTagItem("messaging.destination.name") is string topic && topics.Contains(topic))
            {
                data.IsAllDataRequested = false;
                data.ActivityTraceFlags &= ~System.Diagnostics.ActivityTraceFlags.Recorded;
            }
        }
    }
}
