using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Trace.V1;
using Platform.Promql.Series;

namespace Platform.Core.Metrics.Conversion;

/// <summary>
/// Series derived from logs and spans, like the Collector's count and spanmetrics connectors:
/// <c>log_records_total{job, instance, severity}</c>; <c>spans_total{job, instance, span_name, span_kind, status_code}</c>
/// and the histogram <c>span_duration_seconds</c> with the same labels. Increments are summed per record and series,
/// stamped with the newest time they cover.
/// </summary>
public static class OtlpSignalCounters
{
    /// <summary>The span-duration buckets, in seconds (the spanmetrics connector's defaults).</summary>
    public static readonly double[] DurationBuckets = [0.002, 0.004, 0.006, 0.008, 0.01, 0.05, 0.1, 0.2, 0.4, 0.8, 1, 1.4, 2, 5, 10, 15];

    /// <summary>Counts one resource's log records by severity.</summary>
    public static void CountLogs(ResourceLogs resource, long offset, List<ConvertedSample> samples, List<MetricMetadata> metadata)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(metadata);
        var target = OtlpLabels.Target(resource.Resource);
        var counts = new Dictionary<string, (double Count, long T)>(StringComparer.Ordinal);
        foreach (var record in resource.ScopeLogs.SelectMany(s => s.LogRecords))
        {
            var severity = Severity(record);
            var t = OtlpMetricsConverter.Millis(record.TimeUnixNano != 0 ? record.TimeUnixNano : record.ObservedTimeUnixNano);
            counts[severity] = counts.TryGetValue(severity, out var c) ? (c.Count + 1, Math.Max(c.T, t)) : (1, t);
        }
        foreach (var (severity, (count, t)) in counts)
        {
            OtlpMetricsConverter.Add(samples, target, "log_records_total", ("severity", severity), t, count, SampleKind.Delta, 0, offset);
        }
        if (counts.Count > 0) metadata.Add(new MetricMetadata("log_records_total", "counter", "Log records received, by severity", ""));
    }

    /// <summary>Counts one resource's spans and records their durations.</summary>
    public static void CountSpans(ResourceSpans resource, long offset, List<ConvertedSample> samples, List<MetricMetadata> metadata)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(metadata);
        var target = OtlpLabels.Target(resource.Resource);
        var groups = new Dictionary<(string Name, string Kind, string Status), SpanGroup>();
        foreach (var span in resource.ScopeSpans.SelectMany(s => s.Spans))
        {
            var key = (span.Name, Kind(span.Kind), Status(span.Status));
            if (!groups.TryGetValue(key, out var group)) groups[key] = group = new SpanGroup();
            var seconds = span.EndTimeUnixNano > span.StartTimeUnixNano ? (span.EndTimeUnixNano - span.StartTimeUnixNano) / 1e9 : 0;
            group.Count++;
            group.Sum += seconds;
            group.T = Math.Max(group.T, OtlpMetricsConverter.Millis(span.EndTimeUnixNano));
            var bucket = Array.FindIndex(DurationBuckets, b => seconds <= b);
            group.Buckets[bucket < 0 ? DurationBuckets.Length : bucket]++;
        }
        foreach (var ((name, kind, status), group) in groups)
        {
            var labels = new List<Label>(target) { new("span_name", name), new("span_kind", kind), new("status_code", status) };
            OtlpMetricsConverter.Add(samples, labels, "spans_total", null, group.T, group.Count, SampleKind.Delta, 0, offset);
            var buckets = DurationBuckets.Select((b, i) => (b, group.Buckets[i])).Append((double.PositiveInfinity, group.Buckets[^1])).ToList();
            OtlpMetricsConverter.Histogram("span_duration_seconds", labels, group.T, 0, buckets, group.Sum, group.Count, stale: false, SampleKind.Delta, offset, samples);
        }
        if (groups.Count > 0)
        {
            metadata.Add(new MetricMetadata("spans_total", "counter", "Spans received, by name, kind and status", ""));
            metadata.Add(new MetricMetadata("span_duration_seconds", "histogram", "Span durations, by name, kind and status", "s"));
        }
    }

    /// <summary>
    /// The severity label: the OpenTelemetry short name of the record's severity number (TRACE, DEBUG, INFO, WARN,
    /// ERROR, FATAL), so every SDK's "Warning", "warning" or "WARN" count alike; the text, upper-cased, when the number is unset.
    /// </summary>
    public static string Severity(LogRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return (int)record.SeverityNumber switch
        {
            >= 1 and <= 4 => "TRACE",
            >= 5 and <= 8 => "DEBUG",
            >= 9 and <= 12 => "INFO",
            >= 13 and <= 16 => "WARN",
            >= 17 and <= 20 => "ERROR",
            >= 21 and <= 24 => "FATAL",
            _ => record.SeverityText.Length > 0 ? record.SeverityText.ToUpperInvariant() : "UNSPECIFIED",
        };
    }

    private static string Kind(Span.Types.SpanKind kind) => kind switch
    {
        Span.Types.SpanKind.Internal => "SPAN_KIND_INTERNAL",
        Span.Types.SpanKind.Server => "SPAN_KIND_SERVER",
        Span.Types.SpanKind.Client => "SPAN_KIND_CLIENT",
        Span.Types.SpanKind.Producer => "SPAN_KIND_PRODUCER",
        Span.Types.SpanKind.Consumer => "SPAN_KIND_CONSUMER",
        _ => "SPAN_KIND_UNSPECIFIED",
    };

    private static string Status(Status? status) => status?.Code switch
    {
        OpenTelemetry.Proto.Trace.V1.Status.Types.StatusCode.Ok => "STATUS_CODE_OK",
        OpenTelemetry.Proto.Trace.V1.Status.Types.StatusCode.Error => "STATUS_CODE_ERROR",
        _ => "STATUS_CODE_UNSET",
    };

    private sealed class SpanGroup
    {
        public double Count { get; set; }
        public double Sum { get; set; }
        public long T { get; set; }
        public double[] Buckets { get; } = new double[DurationBuckets.Length + 1];
    }
}
