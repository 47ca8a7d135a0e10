using System.Text.Json;
using Google.Protobuf;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Resource.V1;
using Platform.Core.Consumers.Elasticsearch;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Consumers.Elasticsearch;

/// <summary>The ECS document the router writes for an OTLP log, pinned: a mapping change is a visible diff.</summary>
public sealed class EcsDocumentGoldenTests
{
    private static KeyValue Kv(string key, AnyValue value) => new() { Key = key, Value = value };

    [Fact]
    public void An_otlp_log_with_every_kind_of_value_maps_to_the_pinned_ecs_document()
    {
        var resource = new Resource
        {
            Attributes =
            {
                Kv("service.name", new AnyValue { StringValue = "checkout" }),
                Kv("service.version", new AnyValue { StringValue = "2.4.1" }),
                Kv("host.name", new AnyValue { StringValue = "pod-7" }),
                Kv("deployment.environment", new AnyValue { StringValue = "prod" }),
            },
        };
        var scope = new InstrumentationScope { Name = "Checkout.Payments", Version = "1.0.0" };
        var log = new LogRecord
        {
            TimeUnixNano = 1_700_000_000_123_456_700,
            ObservedTimeUnixNano = 1_700_000_000_200_000_000,
            SeverityNumber = SeverityNumber.Error,
            SeverityText = "Error",
            Body = new AnyValue { StringValue = "Card visa-1234 declined" },
            TraceId = ByteString.CopyFrom(Convert.FromHexString("5b8efff798038103d269b633813fc60c")),
            SpanId = ByteString.CopyFrom(Convert.FromHexString("eee19b7ec3c1b174")),
            Flags = 1,
            Attributes =
            {
                Kv("card", new AnyValue { StringValue = "visa-1234" }),
                Kv("attempt", new AnyValue { IntValue = 3 }),
                Kv("amount", new AnyValue { DoubleValue = 42.5 }),
                Kv("retryable", new AnyValue { BoolValue = false }),
                Kv("raw", new AnyValue { BytesValue = ByteString.CopyFromUtf8("\u0001\u0002") }),
                Kv("tags", new AnyValue { ArrayValue = new ArrayValue { Values = { new AnyValue { StringValue = "a" }, new AnyValue { IntValue = 2 } } } }),
                Kv("http", new AnyValue { KvlistValue = new KeyValueList { Values = { Kv("method", new AnyValue { StringValue = "POST" }), Kv("status_code", new AnyValue { IntValue = 402 }) } } }),
            },
        };

        (System.Text.Json.Nodes.JsonObject document, string dataset) = EcsDocument.Map(resource, scope, log, "default", "generic", datasetFromAttributes: true);
        string actual = $"dataset: {dataset}\n{document.ToJsonString(new JsonSerializerOptions { WriteIndented = true })}";
        Golden.Matches(Path.Combine("Consumers", "Elasticsearch", "golden", "ecs-log.txt"), actual);
    }
}
