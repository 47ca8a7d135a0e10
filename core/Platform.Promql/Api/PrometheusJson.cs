using System.Text.Json;
using Platform.Promql.Engine;
using Platform.Promql.Series;

namespace Platform.Promql.Api;

/// <summary>The Prometheus HTTP API's JSON: <c>{"status":"success","data":…}</c> and <c>{"status":"error","errorType":…,"error":…}</c>.</summary>
public static class PrometheusJson
{
    /// <summary>The API's name of an error type.</summary>
    public static string ErrorTypeName(QueryErrorType type) => type switch
    {
        QueryErrorType.BadData => "bad_data",
        QueryErrorType.Timeout => "timeout",
        QueryErrorType.Canceled => "canceled",
        _ => "execution",
    };

    /// <summary>The HTTP status Prometheus answers for an error type.</summary>
    public static int StatusCode(QueryErrorType type) => type switch
    {
        QueryErrorType.BadData => 400,
        QueryErrorType.Execution => 422,
        _ => 503,
    };

    /// <summary>Writes an error document.</summary>
    public static void WriteError(Utf8JsonWriter writer, QueryErrorType type, string message)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("status", "error");
        writer.WriteString("errorType", ErrorTypeName(type));
        writer.WriteString("error", message);
        writer.WriteEndObject();
    }

    /// <summary>Writes a query result (<c>/api/v1/query</c>, <c>/api/v1/query_range</c>).</summary>
    public static void WriteQueryResult(Utf8JsonWriter writer, QueryValue value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStartObject();
        writer.WriteString("status", "success");
        writer.WriteStartObject("data");
        switch (value)
        {
            case ScalarValue s:
                writer.WriteString("resultType", "scalar");
                writer.WritePropertyName("result");
                WritePoint(writer, s.T, PromFloat.Format(s.F));
                break;
            case StringValue s:
                writer.WriteString("resultType", "string");
                writer.WritePropertyName("result");
                WritePoint(writer, s.T, s.Value);
                break;
            case VectorValue v:
                writer.WriteString("resultType", "vector");
                writer.WriteStartArray("result");
                foreach (var sample in v.Samples)
                {
                    writer.WriteStartObject();
                    WriteMetric(writer, sample.Metric);
                    writer.WritePropertyName("value");
                    WritePoint(writer, sample.T, PromFloat.Format(sample.F));
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
                break;
            case MatrixValue m:
                writer.WriteString("resultType", "matrix");
                writer.WriteStartArray("result");
                foreach (var series in m.Series)
                {
                    writer.WriteStartObject();
                    WriteMetric(writer, series.Labels);
                    writer.WriteStartArray("values");
                    foreach (var point in series.Points) WritePoint(writer, point.T, PromFloat.Format(point.F));
                    writer.WriteEndArray();
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
                break;
        }
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>Writes <c>{"status":"success","data":[…strings…]}</c> (labels, label values).</summary>
    public static void WriteStrings(Utf8JsonWriter writer, IEnumerable<string> values) =>
        WriteDataArray(writer, values, (w, value) => w.WriteStringValue(value));

    /// <summary>Writes <c>{"status":"success","data":[{…labels…}]}</c> (<c>/api/v1/series</c>).</summary>
    public static void WriteSeries(Utf8JsonWriter writer, IEnumerable<Labels> series) => WriteDataArray(writer, series, WriteLabels);

    private static void WriteDataArray<T>(Utf8JsonWriter writer, IEnumerable<T> items, Action<Utf8JsonWriter, T> write)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(items);
        writer.WriteStartObject();
        writer.WriteString("status", "success");
        writer.WriteStartArray("data");
        foreach (var item in items) write(writer, item);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteMetric(Utf8JsonWriter writer, Labels labels)
    {
        writer.WritePropertyName("metric");
        WriteLabels(writer, labels);
    }

    private static void WriteLabels(Utf8JsonWriter writer, Labels labels)
    {
        writer.WriteStartObject();
        foreach (var label in labels.Items) writer.WriteString(label.Name, label.Value);
        writer.WriteEndObject();
    }

    private static void WritePoint(Utf8JsonWriter writer, long t, string value)
    {
        writer.WriteStartArray();
        writer.WriteRawValue(PromFloat.FormatTime(t), skipInputValidation: true);
        writer.WriteStringValue(value);
        writer.WriteEndArray();
    }
}
