using System.Globalization;
using System.Text.Json.Nodes;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Resource.V1;

namespace Platform.Core.Consumers.Elasticsearch;

/// <summary>
/// Maps an OTLP log record to an Elastic Common Schema document: <c>@timestamp</c>, <c>message</c>, <c>log.level</c>,
/// <c>service.name</c>, <c>trace.id</c>, <c>span.id</c>, <c>host.name</c>, <c>data_stream.*</c>, and every other
/// resource and record attribute under its own (dotted) name. Pinned by a golden-file test.
/// </summary>
public static class EcsDocument
{
    /// <summary>The document, and the dataset it belongs to.</summary>
    /// <remarks>
    /// Attributes never set the fields the mapper owns (<c>@timestamp</c>, <c>data_stream.*</c>): an attribute of that name is
    /// kept as <c>attributes.{name}</c>. The dataset comes from the attributes only when <paramref name="datasetFromAttributes"/>.
    /// </remarks>
    public static (JsonObject Document, string Dataset) Map(Resource? resource, InstrumentationScope? scope, LogRecord log, string @namespace, string defaultDataset, bool datasetFromAttributes)
    {
        ArgumentNullException.ThrowIfNull(log);
        var doc = new JsonObject();
        ulong nanos = log.TimeUnixNano != 0 ? log.TimeUnixNano : log.ObservedTimeUnixNano;
        doc["@timestamp"] = DateTimeOffset.FromUnixTimeMilliseconds((long)(nanos / 1_000_000)).AddTicks((long)(nanos % 1_000_000 / 100)).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
        if (resource is not null)
        {
            foreach (KeyValue kv in resource.Attributes)
            {
                doc[FieldOf(kv.Key)] = Value(kv.Value);
            }
        }

        foreach (KeyValue kv in log.Attributes)
        {
            doc[FieldOf(kv.Key)] = Value(kv.Value);
        }

        doc["message"] = log.Body?.ValueCase == AnyValue.ValueOneofCase.StringValue ? log.Body.StringValue : Value(log.Body)?.ToJsonString();
        doc["log.level"] = string.IsNullOrEmpty(log.SeverityText) ? Level(log.SeverityNumber) : log.SeverityText;
        if (log.SeverityNumber != SeverityNumber.Unspecified)
        {
            doc["log.syslog.severity.code"] = (int)log.SeverityNumber;
        }

        if (!log.TraceId.IsEmpty)
        {
            doc["trace.id"] = Convert.ToHexStringLower(log.TraceId.Span);
        }

        if (!log.SpanId.IsEmpty)
        {
            doc["span.id"] = Convert.ToHexStringLower(log.SpanId.Span);
        }

        if (!string.IsNullOrEmpty(log.EventName))
        {
            doc["event.name"] = log.EventName;
        }

        if (scope is { Name.Length: > 0 })
        {
            doc["log.logger"] = scope.Name;
        }

        doc["host.name"] ??= doc["host.hostname"]?.DeepClone();
        string dataset = Clean((datasetFromAttributes ? Text(doc["attributes.data_stream.dataset"]) ?? Text(doc["event.dataset"]) : null) ?? defaultDataset);
        doc["data_stream.type"] = "logs";
        doc["data_stream.dataset"] = dataset;
        doc["data_stream.namespace"] = @namespace;
        return (doc, dataset);
    }

    /// <summary>ECS level names for OTLP severity numbers.</summary>
    public static string Level(SeverityNumber severity) => (int)severity switch
    {
        >= 21 => "fatal",
        >= 17 => "error",
        >= 13 => "warn",
        >= 9 => "info",
        >= 5 => "debug",
        >= 1 => "trace",
        _ => "unspecified",
    };

    private static string FieldOf(string attribute) =>
        attribute is "@timestamp" or "data_stream" || attribute.StartsWith("data_stream.", StringComparison.Ordinal) ? "attributes." + attribute : attribute;

    // A dataset named by an attribute of another type (a number, a map) names none.
    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue(out string? text) ? text : null;

    private static JsonNode? Value(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue,
        AnyValue.ValueOneofCase.IntValue => value.IntValue,
        AnyValue.ValueOneofCase.DoubleValue => double.IsFinite(value.DoubleValue) ? value.DoubleValue : value.DoubleValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.BytesValue => Convert.ToBase64String(value.BytesValue.Span),
        AnyValue.ValueOneofCase.ArrayValue => new JsonArray([.. value.ArrayValue.Values.Select(Value)]),
        AnyValue.ValueOneofCase.KvlistValue => new JsonObject(value.KvlistValue.Values.Select(kv => KeyValuePair.Create(kv.Key, Value(kv.Value)))),
        _ => null,
    };

    // Data stream names: lower case, no '-' (it separates type, dataset and namespace), no spaces.
    private static string Clean(string dataset)
    {
        string lower = dataset.ToLowerInvariant().Replace('-', '_');
        return new string([.. lower.Where(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.')]) is { Length: > 0 } s ? s : "generic";
    }
}
