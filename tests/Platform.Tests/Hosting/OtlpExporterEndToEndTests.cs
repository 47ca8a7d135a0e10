using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using LogRecord = Platform.Core.Log.LogRecord;
using Platform.Core.Log.Reading;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Hosting;

/// <summary>The real OpenTelemetry .NET SDK exports logs, metrics and traces to the local host; every item lands, keyed by service.name.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class OtlpExporterEndToEndTests(AzuriteFixture azurite)
{
    [Theory]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    [InlineData(OtlpExportProtocol.Grpc)]
    public async Task Logs_metrics_and_traces_from_the_sdk_land_in_their_topics(OtlpExportProtocol protocol)
    {
        await using LocalHost host = await LocalHost.StartAsync(azurite, $"otlp-e2e-{protocol}");
        string service = $"checkout-{protocol}".ToLowerInvariant();
        void Configure(OtlpExporterOptions o, string signal)
        {
            o.Protocol = protocol;
            o.Endpoint = protocol == OtlpExportProtocol.Grpc ? host.OtlpGrpc : new Uri(host.OtlpHttp, $"v1/{signal}");
            o.Headers = $"x-api-key={LocalHost.AdminKey}";
        }

        ResourceBuilder resource = ResourceBuilder.CreateEmpty().AddService(service);
        using (ILoggerFactory loggers = LoggerFactory.Create(b => b.AddOpenTelemetry(o =>
        {
            o.SetResourceBuilder(resource);
            o.AddOtlpExporter(e => Configure(e, "logs"));
        })))
        {
            ILogger logger = loggers.CreateLogger("orders");
            for (int i = 0; i < 25; i++)
            {
#pragma warning disable CA1848, CA2254 // a plain call, as an application would write it
                logger.LogWarning("order {OrderId} is late", i);
#pragma warning restore CA1848, CA2254
            }
        }

        using (var meter = new Meter("shop"))
        using (MeterProvider meters = Sdk.CreateMeterProviderBuilder().SetResourceBuilder(resource).AddMeter("shop").AddOtlpExporter((e, r) =>
        {
            Configure(e, "metrics");
            r.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 60_000;
        }).Build())
        {
            Counter<long> orders = meter.CreateCounter<long>("orders.placed");
            orders.Add(3, new KeyValuePair<string, object?>("region", "eu"));
            orders.Add(4, new KeyValuePair<string, object?>("region", "us"));
            Assert.True(meters.ForceFlush(10_000));
        }

        using (var source = new ActivitySource("shop"))
        using (TracerProvider tracer = Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource).AddSource("shop").AddOtlpExporter(e => Configure(e, "traces")).Build())
        {
            for (int i = 0; i < 5; i++)
            {
                using Activity? span = source.StartActivity($"place-order-{i}");
                span?.SetTag("order.id", i);
            }

            Assert.True(tracer.ForceFlush(10_000));
        }

        LogReader reader = host.Platform.Services.GetRequiredService<LogReader>();
        List<LogRecord> logs = await ReadTopicAsync(reader, "otlp.logs");
        var logBodies = logs.SelectMany(r => ExportLogsServiceRequest.Parser.ParseFrom(r.Value!.Value.Span).ResourceLogs)
            .SelectMany(rl => rl.ScopeLogs).SelectMany(s => s.LogRecords).Select(l => l.Body.StringValue).ToList();
        Assert.Equal(25, logBodies.Count);
        Assert.Contains("order {OrderId} is late", logBodies);
        Assert.All(logs, r => Assert.Equal(service, System.Text.Encoding.UTF8.GetString(r.Key!.Value.Span)));

        List<LogRecord> metrics = await ReadTopicAsync(reader, "otlp.metrics");
        var points = metrics.SelectMany(r => ExportMetricsServiceRequest.Parser.ParseFrom(r.Value!.Value.Span).ResourceMetrics)
            .SelectMany(rm => rm.ScopeMetrics).SelectMany(s => s.Metrics).Where(m => m.Name == "orders.placed").SelectMany(m => m.Sum.DataPoints).ToList();
        // Cumulative temporality: every export repeats the running totals (ForceFlush, then shutdown).
        var latest = points.GroupBy(p => p.Attributes.Single(a => a.Key == "region").Value.StringValue).ToDictionary(g => g.Key, g => g.Max(p => p.AsInt));
        Assert.Equal(new Dictionary<string, long> { ["eu"] = 3, ["us"] = 4 }, latest);
        Assert.All(metrics, r => Assert.Equal(service, System.Text.Encoding.UTF8.GetString(r.Key!.Value.Span)));

        List<LogRecord> traces = await ReadTopicAsync(reader, "otlp.traces");
        var spans = traces.SelectMany(r => ExportTraceServiceRequest.Parser.ParseFrom(r.Value!.Value.Span).ResourceSpans)
            .SelectMany(rs => rs.ScopeSpans).SelectMany(s => s.Spans).ToList();
        Assert.Equal(5, spans.Count);
        Assert.All(spans, s => Assert.Equal(16, s.TraceId.Length));
        Assert.All(traces, r => Assert.Equal(service, System.Text.Encoding.UTF8.GetString(r.Key!.Value.Span)));
    }

    internal static async Task<List<LogRecord>> ReadTopicAsync(LogReader reader, string topic)
    {
        var all = new List<LogRecord>();
        for (int p = 0; p < 4; p++)
        {
            all.AddRange(await Records.ReadAllAsync(reader, topic, p));
        }

        return all;
    }
}
