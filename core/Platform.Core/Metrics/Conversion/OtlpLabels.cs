using System.Globalization;
using Google.Protobuf.Collections;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Resource.V1;
using Platform.Promql.Series;

namespace Platform.Core.Metrics.Conversion;

/// <summary>
/// Labels from OTLP attributes: <c>service.namespace/service.name</c> → <c>job</c>, <c>service.instance.id</c> →
/// <c>instance</c>; other resource attributes go to <c>target_info</c>; point attributes are labels, keys sanitized
/// (two keys that sanitize alike have their values joined with <c>;</c>, in key order, as the specification says).
/// </summary>
public static class OtlpLabels
{
    /// <summary>The <c>job</c> and <c>instance</c> labels of a resource.</summary>
    public static List<Label> Target(Resource? resource)
    {
        var attributes = resource?.Attributes;
        var name = Find(attributes, "service.name") ?? "unknown_service";
        var ns = Find(attributes, "service.namespace");
        var labels = new List<Label> { new("job", ns is null ? name : ns + "/" + name) };
        if (Find(attributes, "service.instance.id") is { } instance) labels.Add(new Label("instance", instance));
        return labels;
    }

    /// <summary>The labels of <c>target_info</c>: job, instance and every other resource attribute; null when there are none.</summary>
    public static Labels? TargetInfo(Resource? resource)
    {
        var others = resource?.Attributes.Where(a => a.Key is not ("service.name" or "service.namespace" or "service.instance.id")).ToList() ?? [];
        if (others.Count == 0) return null;
        var labels = Target(resource);
        labels.Add(new Label(Labels.MetricName, "target_info"));
        labels.AddRange(Attributes(others));
        return Labels.From(labels);
    }

    /// <summary>Attributes as labels, sanitized, colliding keys joined.</summary>
    public static IEnumerable<Label> Attributes(IEnumerable<KeyValue> attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        return attributes
            .Select(a => (Name: PrometheusNames.LabelName(a.Key), a.Key, Value: Text(a.Value)))
            .Where(a => a.Value.Length > 0 && a.Name != Labels.MetricName)
            .GroupBy(a => a.Name, StringComparer.Ordinal)
            .Select(g => new Label(g.Key, string.Join(";", g.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => a.Value))));
    }

    /// <summary>The value of a string attribute, or null.</summary>
    public static string? Find(RepeatedField<KeyValue>? attributes, string key)
    {
        if (attributes is null) return null;
        foreach (var attribute in attributes)
        {
            if (attribute.Key == key) return Text(attribute.Value) is { Length: > 0 } text ? text : null;
        }
        return null;
    }

    /// <summary>An attribute value as label text: strings as they are, numbers and booleans as written, arrays and maps as JSON.</summary>
    public static string Text(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.DoubleValue => Promql.Api.PromFloat.Format(value.DoubleValue),
        AnyValue.ValueOneofCase.ArrayValue => "[" + string.Join(",", value.ArrayValue.Values.Select(v => Json(v))) + "]",
        AnyValue.ValueOneofCase.KvlistValue => "{" + string.Join(",", value.KvlistValue.Values.Select(kv => Quote(kv.Key) + ":" + Json(kv.Value))) + "}",
        AnyValue.ValueOneofCase.BytesValue => Convert.ToBase64String(value.BytesValue.Span),
        _ => "",
    };

    private static string Json(AnyValue value) => value.ValueCase is AnyValue.ValueOneofCase.StringValue or AnyValue.ValueOneofCase.BytesValue
        ? Quote(Text(value)) : Text(value);

    private static string Quote(string text) => System.Text.Json.JsonSerializer.Serialize(text);
}
