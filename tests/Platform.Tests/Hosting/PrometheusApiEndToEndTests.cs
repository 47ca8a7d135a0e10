using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Platform.Benchmarks.Peers;
using Platform.Tests.Fixtures;
using Platform.Tests.Promql;

namespace Platform.Tests.Hosting;

/// <summary>
/// The OpenTelemetry .NET SDK exports a counter, a histogram, logs and spans to the local host; the metrics jobs store
/// them; the Prometheus API answers with the totals sent, to HTTP clients and to the real promtool.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class PrometheusApiEndToEndTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Sdk_metrics_logs_and_spans_are_queryable_with_promql()
    {
        await using LocalHost host = await LocalHost.StartAsync(azurite, "prom-e2e");
        await ExportAsync(host, "checkout");
        using var client = Client(host);

        Assert.Equal("7", await WaitForValueAsync(client, "sum(orders_placed_total{job=\"checkout\"})", "7"));
        Assert.Equal("3", await WaitForValueAsync(client, "orders_placed_total{region=\"eu\"}", "3"));
        Assert.Equal("4", await WaitForValueAsync(client, "sum(checkout_latency_seconds_count)", "4"));
        Assert.Equal("3.35", await WaitForValueAsync(client, "sum(checkout_latency_seconds_sum)", "3.35"));
        // The SDK's default boundaries (0, 5, 10, …): every observation is in le="5", none in le="0".
        Assert.Equal("4", await WaitForValueAsync(client, "sum(checkout_latency_seconds_bucket{le=\"5\"})", "4"));
        Assert.Equal("0", await WaitForValueAsync(client, "sum(checkout_latency_seconds_bucket{le=\"0\"})", "0"));
        Assert.Equal("25", await WaitForValueAsync(client, "sum(log_records_total{job=\"checkout\",severity=\"WARN\"})", "25"));
        Assert.Equal("5", await WaitForValueAsync(client, "sum(spans_total{job=\"checkout\"})", "5"));
        Assert.Equal("5", await WaitForValueAsync(client, "sum(span_duration_seconds_count{job=\"checkout\"})", "5"));

        // The metadata endpoints a Grafana data source calls.
        var labels = await GetAsync(client, "api/prometheus/api/v1/labels");
        Assert.Contains("job", labels.GetProperty("data").EnumerateArray().Select(e => e.GetString()));
        var names = await GetAsync(client, "api/prometheus/api/v1/label/__name__/values");
        Assert.Contains("orders_placed_total", names.GetProperty("data").EnumerateArray().Select(e => e.GetString()));
        var series = await GetAsync(client, "api/prometheus/api/v1/series?match[]=" + Uri.EscapeDataString("orders_placed_total{region=\"us\"}"));
        Assert.Equal("us", Assert.Single(series.GetProperty("data").EnumerateArray()).GetProperty("region").GetString());
        var metadata = await GetAsync(client, "api/prometheus/api/v1/metadata?metric=orders_placed_total");
        Assert.Equal("counter", metadata.GetProperty("data").GetProperty("orders_placed_total")[0].GetProperty("type").GetString());
        var build = await GetAsync(client, "api/prometheus/api/v1/status/buildinfo");
        Assert.Equal("2.42.0", build.GetProperty("data").GetProperty("version").GetString());

        // POST with a form body, as Grafana sends by default.
        // Whole seconds cut the present: the range ends a minute ahead so a sample of this very second is inside it.
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["query"] = "sum by (region) (orders_placed_total)", ["start"] = $"{now - 120}", ["end"] = $"{now + 60}", ["step"] = "15s",
        });
        using var range = await client.PostAsync(new Uri("api/prometheus/api/v1/query_range", UriKind.Relative), form);
        Assert.Equal(HttpStatusCode.OK, range.StatusCode);
        var matrix = JsonDocument.Parse(await range.Content.ReadAsStringAsync()).RootElement.GetProperty("data");
        Assert.Equal("matrix", matrix.GetProperty("resultType").GetString());
        Assert.Equal(2, matrix.GetProperty("result").GetArrayLength());
    }

    [Fact]
    public async Task Bad_queries_answer_prometheus_errors_and_keys_are_required()
    {
        await using LocalHost host = await LocalHost.StartAsync(azurite, "prom-errors");
        using var client = Client(host);
        foreach (var (path, status, type) in new[]
        {
            ("api/prometheus/api/v1/query?query=" + Uri.EscapeDataString("sum(up[5m])"), 400, "bad_data"),
            ("api/prometheus/api/v1/query?query=" + Uri.EscapeDataString("max_over_time(up[10m:1m])"), 400, "bad_data"),
            ("api/prometheus/api/v1/query?query=" + Uri.EscapeDataString("holt_winters(up[5m], 0.5, 0.5)"), 400, "bad_data"),
            ("api/prometheus/api/v1/query", 400, "bad_data"),
            ("api/prometheus/api/v1/query?query=up&time=yesterday", 400, "bad_data"),
            ("api/prometheus/api/v1/query_range?query=up&start=10&end=5&step=1", 400, "bad_data"),
            ("api/prometheus/api/v1/query_range?query=up&start=0&end=100000&step=1", 400, "bad_data"),
            ("api/prometheus/api/v1/series", 400, "bad_data"),
            ("api/prometheus/api/v1/label/bad-name/values", 400, "bad_data"),
        })
        {
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.True((int)response.StatusCode == status, $"{path}: {(int)response.StatusCode} {body}");
            Assert.Equal("error", body.GetProperty("status").GetString());
            Assert.Equal(type, body.GetProperty("errorType").GetString());
            Assert.False(string.IsNullOrEmpty(body.GetProperty("error").GetString()));
        }

        using var anonymous = host.Anonymous();
        using var refused = await anonymous.GetAsync(new Uri("api/prometheus/api/v1/query?query=up", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [PrometheusFact]
    public async Task Promtool_queries_the_platform_and_gets_the_totals_the_sdk_sent()
    {
        await using LocalHost host = await LocalHost.StartAsync(azurite, "prom-promtool");
        await ExportAsync(host, "billing");
        using var client = Client(host);
        await WaitForValueAsync(client, "sum(orders_placed_total{job=\"billing\"})", "7");

        // promtool sends the key as the password of the URL's user info (Basic auth).
        var server = new UriBuilder(new Uri(host.Client.BaseAddress!, "api/prometheus")) { UserName = "promtool", Password = LocalHost.AdminKey }.Uri.ToString();
        var (code, output) = await PrometheusServer.RunAsync(PrometheusServer.PromtoolBinary!, ["query", "instant", server, "sum by (region) (orders_placed_total{job=\"billing\"})"], CancellationToken.None);
        Assert.True(code == 0, output);
        Assert.Contains("{region=\"eu\"} => 3", output, StringComparison.Ordinal);
        Assert.Contains("{region=\"us\"} => 4", output, StringComparison.Ordinal);

        // Whole seconds cut the present: the range ends a minute ahead so a sample of this very second is inside it.
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        (code, output) = await PrometheusServer.RunAsync(PrometheusServer.PromtoolBinary!,
            ["query", "range", "--start", $"{now - 60}", "--end", $"{now + 60}", "--step", "30s", server, "sum(checkout_latency_seconds_count)"], CancellationToken.None);
        Assert.True(code == 0, output);
        Assert.Contains("=>", output, StringComparison.Ordinal);
        Assert.Contains("4 @[", output, StringComparison.Ordinal);
    }

    private static HttpClient Client(LocalHost host)
    {
        var client = new HttpClient { BaseAddress = host.Client.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", LocalHost.AdminKey);
        return client;
    }

    private static async Task ExportAsync(LocalHost host, string service)
    {
        void Configure(OtlpExporterOptions o, string signal)
        {
            o.Protocol = OtlpExportProtocol.HttpProtobuf;
            o.Endpoint = new Uri(host.OtlpHttp, $"v1/{signal}");
            o.Headers = $"x-api-key={LocalHost.AdminKey}";
        }

        var resource = ResourceBuilder.CreateEmpty().AddService(service);
        using (var meter = new Meter("shop"))
        using (var meters = Sdk.CreateMeterProviderBuilder().SetResourceBuilder(resource).AddMeter("shop").AddOtlpExporter((e, r) =>
        {
            Configure(e, "metrics");
            r.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 60_000;
        }).Build())
        {
            var orders = meter.CreateCounter<long>("orders.placed", "{order}");
            orders.Add(3, new KeyValuePair<string, object?>("region", "eu"));
            orders.Add(4, new KeyValuePair<string, object?>("region", "us"));
            var latency = meter.CreateHistogram<double>("checkout.latency", "s");
            foreach (var seconds in new[] { 0.1, 0.25, 1.0, 2.0 }) latency.Record(seconds);
            Assert.True(meters.ForceFlush(10_000));
        }

        using (var loggers = LoggerFactory.Create(b => b.AddOpenTelemetry(o =>
        {
            o.SetResourceBuilder(resource);
            o.AddOtlpExporter(e => Configure(e, "logs"));
        })))
        {
            var logger = loggers.CreateLogger("orders");
            for (var i = 0; i < 25; i++)
            {
#pragma warning disable CA1848, CA2254 // a plain call, as an application would write it
                logger.LogWarning("order {OrderId} is late", i);
#pragma warning restore CA1848, CA2254
            }
        }

        using var source = new ActivitySource("shop");
        using var tracer = Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource).AddSource("shop").AddOtlpExporter(e => Configure(e, "traces")).Build();
        for (var i = 0; i < 5; i++)
        {
            using var span = source.StartActivity("place-order");
        }
        Assert.True(tracer.ForceFlush(10_000));
    }

    private static async Task<string> WaitForValueAsync(HttpClient client, string query, string expected)
    {
        var deadline = Stopwatch.StartNew();
        var last = "";
        while (deadline.Elapsed < Patience)
        {
            var body = await GetAsync(client, "api/prometheus/api/v1/query?query=" + Uri.EscapeDataString(query));
            var result = body.GetProperty("data").GetProperty("result");
            last = result.ToString();
            if (result.GetArrayLength() == 1 && result[0].GetProperty("value")[1].GetString() is { } value && value == expected) return value;
            await Task.Delay(250);
        }
        Assert.Fail($"{query} did not answer {expected} within {Patience.TotalSeconds} s; last answer {last}");
        return "";
    }

    private static async Task<JsonElement> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
