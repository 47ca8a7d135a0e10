using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Platform.Core.Consumers;
using Platform.Core.Log;

namespace Platform.Functions;

/// <summary>
/// The platform's own metrics (meters <c>Platform.Log</c>, <c>Platform.Consumers</c> and <c>Platform.Storage</c>: consumer
/// lag, records, dead letters, producer ids, storage requests by operation and status) exported where operators look: Azure Monitor when
/// <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set (as it is on a Function App with Application Insights), any
/// OTLP endpoint when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (with the usual <c>OTEL_*</c> variables).
/// </summary>
public static class SelfTelemetry
{
    /// <summary>The app setting that turns the Azure Monitor exporter on.</summary>
    public const string AzureMonitorSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

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

        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(configuration["OTEL_SERVICE_NAME"] ?? "platform"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(LogMetrics.MeterName, ConsumerMetrics.MeterName, Platform.Core.Metrics.MetricsTelemetry.MeterName, Platform.Core.Alerting.AlertingTelemetry.MeterName, Platform.Core.Consumers.Notifications.NotificationTelemetry.MeterName, Platform.Core.Storage.Azure.StorageRequestMetrics.MeterName);
                if (!string.IsNullOrWhiteSpace(azureMonitor))
                {
                    metrics.AddAzureMonitorMetricExporter(o => o.ConnectionString = azureMonitor);
                }

                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });
        return services;
    }
}
