using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using Platform.Core.Consumers;
using Platform.Tests.Consumers;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Hosting;

/// <summary>The platform's own metrics (consumer lag and throughput, producer ids) and traces leave the process where operators look.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class SelfTelemetryTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task With_an_otlp_endpoint_set_the_platforms_own_metrics_and_traces_are_exported_there()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        // The local host is an OTLP receiver itself: it exports its own metrics to its own /v1/metrics.
        var handler = new RecordingHandler();
        await using LocalHost host = await LocalHost.StartAsync(azurite, nameof(With_an_otlp_endpoint_set_the_platforms_own_metrics_and_traces_are_exported_there),
            b => b.Services.AddSingleton(new ConsumerRegistration("reports", "events", handler)),
            ("Platform:Local:OtlpHttpUrl", $"http://127.0.0.1:{port}"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", $"http://127.0.0.1:{port}"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
            ("OTEL_EXPORTER_OTLP_HEADERS", $"x-api-key={LocalHost.AdminKey}"),
            ("OTEL_METRIC_EXPORT_INTERVAL", "300"),
            ("Platform:Telemetry:TraceRatio", "1"));
        (await host.Client.PostAsJsonAsync("/api/topics", new { name = "events", partitions = 1 })).EnsureSuccessStatusCode();
        (await host.Client.PostAsync("/api/topics/events/records", new StringContent("""{"value":"counted"}""", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();

        var names = new HashSet<string>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!names.Contains("platform.consumer.records") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(300);
            for (int p = 0; p < 4; p++)
            {
                JsonElement page = await host.Client.GetFromJsonAsync<JsonElement>($"/api/topics/otlp.metrics/partitions/{p}/records?offset=earliest&format=base64&maxRecords=1000");
                foreach (JsonElement record in page.GetProperty("records").EnumerateArray())
                {
                    var export = ExportMetricsServiceRequest.Parser.ParseFrom(Convert.FromBase64String(record.GetProperty("valueBase64").GetString()!));
                    names.UnionWith(export.ResourceMetrics.SelectMany(r => r.ScopeMetrics).SelectMany(s => s.Metrics).Select(m => m.Name));
                }
            }
        }

        Assert.Contains("platform.consumer.records", names);
        Assert.Contains("platform.consumer.lag", names);

        // Traces: the produce call and the group's handling, by the messaging conventions; none about the OTLP topics
        // themselves (exporting to its own endpoint must not trace its own exports without end).
        var spans = new List<OpenTelemetry.Proto.Trace.V1.Span>();
        deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(spans.Any(s => s.Name == "send events") && spans.Any(s => s.Name == "process events")) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(300);
            spans.Clear();
            for (int p = 0; p < 4; p++)
            {
                JsonElement page = await host.Client.GetFromJsonAsync<JsonElement>($"/api/topics/otlp.traces/partitions/{p}/records?offset=earliest&format=base64&maxRecords=1000");
                foreach (JsonElement record in page.GetProperty("records").EnumerateArray())
                {
                    var export = OpenTelemetry.Proto.Collector.Trace.V1.ExportTraceServiceRequest.Parser.ParseFrom(Convert.FromBase64String(record.GetProperty("valueBase64").GetString()!));
                    spans.AddRange(export.ResourceSpans.SelectMany(r => r.ScopeSpans).SelectMany(s => s.Spans));
                }
            }
        }

        var send = spans.First(s => s.Name == "send events");
        Assert.Equal(OpenTelemetry.Proto.Trace.V1.Span.Types.SpanKind.Producer, send.Kind);
        Assert.Contains(send.Attributes, a => a.Key == "messaging.destination.name" && a.Value.StringValue == "events");
        var process = spans.First(s => s.Name == "process events");
        Assert.Contains(process.Attributes, a => a.Key == "messaging.consumer.group.name" && a.Value.StringValue == "reports");
        Assert.DoesNotContain(spans, s => s.Name.StartsWith("send otlp.", StringComparison.Ordinal));
    }
}
