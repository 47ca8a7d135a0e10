using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Resources;
using Platform.Core.Consumers.Elasticsearch;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Consumers.Elasticsearch;

/// <summary>Real OTLP logs from the OpenTelemetry .NET SDK, through the local host, to Elasticsearch.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ElasticsearchEndToEndTests(AzuriteFixture azurite)
{
    private static void ExportLogs(LocalHost host, string service)
    {
        using var source = new ActivitySource("e2e");
        using var listener = new ActivityListener { ShouldListenTo = _ => true, Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded };
        ActivitySource.AddActivityListener(listener);
        using ILoggerFactory loggers = LoggerFactory.Create(b => b.AddOpenTelemetry(o =>
        {
            o.SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(service).AddAttributes([new("host.name", "pod-7")]));
            o.IncludeFormattedMessage = true;
            o.AddOtlpExporter(e =>
            {
                e.Protocol = OtlpExportProtocol.HttpProtobuf;
                e.Endpoint = new Uri(host.OtlpHttp, "v1/logs");
                e.Headers = $"x-api-key={LocalHost.AdminKey}";
            });
        }));
        ILogger logger = loggers.CreateLogger("Payments");
        using Activity? span = source.StartActivity("charge");
#pragma warning disable CA1848, CA2254
        logger.LogError("Card {Card} declined", "visa-1234");
        logger.LogInformation("Retrying payment");
#pragma warning restore CA1848, CA2254
    }

    private static async Task<T> EventuallyAsync<T>(Func<T?> read, TimeSpan limit)
        where T : class
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            if (read() is { } value)
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < deadline, "not indexed in time");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Sdk_logs_arrive_in_elasticsearch_as_ecs_documents()
    {
        await using FakeElasticsearch es = await FakeElasticsearch.StartAsync();
        await using LocalHost host = await LocalHost.StartAsync(azurite, nameof(Sdk_logs_arrive_in_elasticsearch_as_ecs_documents), ("Platform:Elasticsearch:Url", es.Url.ToString()));
        ExportLogs(host, "payments");

        var docs = await EventuallyAsync(() => es.Documents.Count >= 2 ? es.Documents.Values.ToList() : null, TimeSpan.FromSeconds(20));
        JsonObject declined = docs.Single(d => d["log.level"]!.GetValue<string>() is "Error" or "error");
        Assert.Equal("Card visa-1234 declined", declined["message"]!.GetValue<string>());
        Assert.Equal("visa-1234", declined["Card"]!.GetValue<string>());
        Assert.Equal("payments", declined["service.name"]!.GetValue<string>());
        Assert.Equal("pod-7", declined["host.name"]!.GetValue<string>());
        Assert.Matches("^[0-9a-f]{32}$", declined["trace.id"]!.GetValue<string>());
        Assert.Matches("^[0-9a-f]{16}$", declined["span.id"]!.GetValue<string>());
        Assert.Equal("Payments", declined["log.logger"]!.GetValue<string>());
        Assert.All(es.Documents.Keys, k => Assert.Equal("logs-generic-default", k.Index));
    }

    [ElasticsearchFact]
    public async Task Sdk_logs_arrive_in_a_real_elasticsearch()
    {
        string url = Environment.GetEnvironmentVariable(ElasticsearchFactAttribute.UrlVariable)!;
        string? apiKey = Environment.GetEnvironmentVariable(ElasticsearchFactAttribute.ApiKeyVariable);
        string @namespace = "platformtest" + Guid.NewGuid().ToString("N")[..8];
        await using LocalHost host = await LocalHost.StartAsync(azurite, nameof(Sdk_logs_arrive_in_a_real_elasticsearch),
            ("Platform:Elasticsearch:Url", url), ("Platform:Elasticsearch:ApiKey", apiKey ?? string.Empty), ("Platform:Elasticsearch:Namespace", @namespace));
        ExportLogs(host, "payments");

        var client = ElasticsearchBulkIndexer.CreateClient(new ElasticsearchOptions { Url = url, ApiKey = apiKey });
        long count = 0;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (count < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
            var response = await client.CountAsync(c => c.Indices($"logs-generic-{@namespace}"));
            count = response.IsValidResponse ? response.Count : 0;
        }

        Assert.Equal(2, count);
    }
}
