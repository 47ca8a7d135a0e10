using System.Text;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Resource.V1;
using Platform.Core.Ingestion.Otlp;
using Platform.Core.Log.Topics;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Ingestion.Otlp;

/// <summary>How an OTLP export becomes records (one per resource, keyed by service.name), pinned: key, headers and value bytes.</summary>
public sealed class OtlpSplitGoldenTests
{
    private static ResourceLogs Resource(string? service, params string[] bodies) => new()
    {
        Resource = new Resource { Attributes = { service is null ? [] : [new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = service } }] } },
        ScopeLogs = { new ScopeLogs { Scope = new InstrumentationScope { Name = "app" }, LogRecords = { bodies.Select((b, i) => new LogRecord { TimeUnixNano = 1_700_000_000_000_000_000UL + (ulong)i, Body = new AnyValue { StringValue = b }, SeverityNumber = SeverityNumber.Info }) } } },
    };

    [Fact]
    public async Task An_export_with_three_resources_becomes_the_pinned_records()
    {
        await using var engine = new TestEngine(StorageSet.InMemory());
        await engine.Topics.CreateAsync(new TopicConfig { Name = "otlp.logs", Partitions = 1 }, default);
        var ingestor = new OtlpIngestor(engine.Producer, engine.Topics, Microsoft.Extensions.Options.Options.Create(new OtlpOptions()));
        var export = new ExportLogsServiceRequest { ResourceLogs = { Resource("checkout", "paid", "shipped"), Resource("billing", "invoiced"), Resource(null, "anonymous") } };

        OtlpIngestResult result = await ingestor.IngestAsync(export, default);
        Assert.Equal((4L, 0L), (result.Accepted, result.Rejected));

        var text = new StringBuilder();
        foreach (Platform.Core.Log.LogRecord r in await Records.ReadAllAsync(engine.Reader, "otlp.logs", 0))
        {
            text.Append("offset ").Append(r.Offset).Append('\n');
            text.Append("key ").Append(r.Key is { } k ? Encoding.UTF8.GetString(k.Span) : "(none)").Append('\n');
            foreach (var h in r.Headers)
            {
                text.Append("header ").Append(h.Key).Append(": ").Append(h.Value is { } v ? Encoding.UTF8.GetString(v.Span) : "(null)").Append('\n');
            }

            text.Append("value ").Append(Convert.ToHexStringLower(r.Value!.Value.Span)).Append('\n');
            text.Append("value as JSON ").Append(JsonFormatter.Default.Format(ExportLogsServiceRequest.Parser.ParseFrom(r.Value!.Value.Span))).Append("\n\n");
        }

        Golden.Matches(Path.Combine("Ingestion", "Otlp", "golden", "otlp-logs-split.txt"), text.ToString());
    }
}
