using Google.Protobuf;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Metrics.V1;
using Platform.Core.Storage.Azure;

namespace Platform.Benchmarks.Hosts;

/// <summary>
/// An OTLP/HTTP metrics endpoint the local hosts export their own metrics to (the platform's self-telemetry, as an
/// operator would collect it), keeping the latest cumulative <c>platform.storage.requests</c> of every host: what every
/// instance together sent to storage, by service, operation and status; and how long their runtimes have spent compiling.
/// </summary>
internal sealed class StorageRequestTally : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<(string Instance, string Service, string Operation, long Status), long> _latest = new();
    private readonly ConcurrentDictionary<string, double> _jitSeconds = new();

    private StorageRequestTally(WebApplication app) => _app = app;

    public Uri Url => new(_app.Urls.First());

    /// <summary>The environment a host needs to export here every 500 ms.</summary>
    public IEnumerable<(string Key, string Value)> Environment(string instance) =>
    [
        ("OTEL_EXPORTER_OTLP_ENDPOINT", Url.ToString().TrimEnd('/')),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
        ("OTEL_METRIC_EXPORT_INTERVAL", "500"),
        ("OTEL_SERVICE_NAME", instance),
    ];

    public static async Task<StorageRequestTally> StartAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        var tally = new StorageRequestTally(app);
        app.MapPost("/v1/metrics", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            tally.Take(ExportMetricsServiceRequest.Parser.ParseFrom(body.ToArray()));
            return Results.Bytes(new ExportMetricsServiceResponse().ToByteArray(), "application/x-protobuf");
        });
        await app.StartAsync();
        return tally;
    }

    /// <summary>Requests sent so far by every instance, by service, operation and status.</summary>
    public Dictionary<(string Service, string Operation, long Status), long> Totals() =>
        _latest.GroupBy(e => (e.Key.Service, e.Key.Operation, e.Key.Status)).ToDictionary(g => g.Key, g => g.Sum(e => e.Value));

    /// <summary>
    /// The time every instance's runtime has spent compiling so far (<c>dotnet.jit.compilation.time</c>, from the
    /// runtime's own meter): tier-0 code for methods run the first time and the optimized recompiles of hot ones.
    /// </summary>
    public double JitSeconds() => _jitSeconds.Values.Sum();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private void Take(ExportMetricsServiceRequest export)
    {
        foreach (ResourceMetrics resource in export.ResourceMetrics)
        {
            string instance = string.Join('/', resource.Resource?.Attributes.Where(a => a.Key is "service.name" or "service.instance.id").Select(a => a.Value.StringValue) ?? []);
            foreach (Metric jit in resource.ScopeMetrics.SelectMany(s => s.Metrics).Where(m => m.Name == "dotnet.jit.compilation.time" && m.DataCase == Metric.DataOneofCase.Sum))
            {
                _jitSeconds[instance] = jit.Sum.DataPoints.Sum(p => p.ValueCase == NumberDataPoint.ValueOneofCase.AsDouble ? p.AsDouble : p.AsInt);
            }

            foreach (Metric metric in resource.ScopeMetrics.SelectMany(s => s.Metrics).Where(m => m.Name == StorageRequestMetrics.RequestsInstrument && m.DataCase == Metric.DataOneofCase.Sum))
            {
                foreach (NumberDataPoint point in metric.Sum.DataPoints)
                {
                    string Attribute(string key) => point.Attributes.FirstOrDefault(a => a.Key == key)?.Value is { } v ? v.ValueCase == AnyValue.ValueOneofCase.IntValue ? v.IntValue.ToString(System.Globalization.CultureInfo.InvariantCulture) : v.StringValue : string.Empty;
                    long status = long.TryParse(Attribute("status"), out long s) ? s : 0;
                    _latest[(instance, Attribute("service"), Attribute("operation"), status)] = point.AsInt;
                }
            }
        }
    }
}
