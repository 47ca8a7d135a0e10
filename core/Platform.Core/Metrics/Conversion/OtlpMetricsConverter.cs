using OpenTelemetry.Proto.Metrics.V1;
using Platform.Promql.Api;
using Platform.Promql.Series;

namespace Platform.Core.Metrics.Conversion;

/// <summary>
/// One resource's OTLP metrics → Prometheus samples: gauges; sums (cumulative as they are, delta as increments,
/// monotonic ones named <c>_total</c>); explicit-bucket histograms as <c>_bucket{le}</c>, <c>_sum</c>, <c>_count</c>;
/// exponential histograms converted to <c>le</c> buckets at their bucket boundaries; summaries as <c>{quantile}</c>,
/// <c>_sum</c>, <c>_count</c>. A point flagged "no recorded value" becomes Prometheus's staleness marker. Exemplars
/// are dropped.
/// </summary>
public static class OtlpMetricsConverter
{
    private const ulong NoRecordedValue = 1;

    /// <summary>Converts one <c>ResourceMetrics</c>; <paramref name="offset"/> is the log record it came from.</summary>
    public static void Convert(ResourceMetrics resource, long offset, List<ConvertedSample> samples, List<MetricMetadata> metadata)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(metadata);
        var target = OtlpLabels.Target(resource.Resource);
        var newest = 0L;
        foreach (var scope in resource.ScopeMetrics)
        {
            var scopeLabels = new List<Label>(target);
            if (scope.Scope is { } s)
            {
                if (s.Name.Length > 0) scopeLabels.Add(new Label("otel_scope_name", s.Name));
                if (s.Version.Length > 0) scopeLabels.Add(new Label("otel_scope_version", s.Version));
            }
            foreach (var metric in scope.Metrics)
            {
                newest = Math.Max(newest, ConvertMetric(metric, scopeLabels, offset, samples, metadata));
            }
        }
        if (newest > 0 && OtlpLabels.TargetInfo(resource.Resource) is { } info)
        {
            samples.Add(new ConvertedSample(info, newest, 1, SampleKind.Absolute, 0, offset));
            metadata.Add(new MetricMetadata("target_info", "gauge", "Target metadata", ""));
        }
    }

    private static long ConvertMetric(Metric metric, List<Label> baseLabels, long offset, List<ConvertedSample> samples, List<MetricMetadata> metadata)
    {
        var newest = 0L;
        switch (metric.DataCase)
        {
            case Metric.DataOneofCase.Gauge:
            {
                var name = PrometheusNames.MetricName(metric.Name, metric.Unit, monotonicSum: false, gauge: true);
                metadata.Add(new MetricMetadata(name, "gauge", metric.Description, metric.Unit));
                foreach (var point in metric.Gauge.DataPoints)
                {
                    newest = Math.Max(newest, Number(name, point, baseLabels, SampleKind.Absolute, counter: false, offset, samples));
                }
                break;
            }
            case Metric.DataOneofCase.Sum:
            {
                var sum = metric.Sum;
                var monotonic = sum.IsMonotonic;
                var name = PrometheusNames.MetricName(metric.Name, metric.Unit, monotonicSum: monotonic, gauge: !monotonic);
                metadata.Add(new MetricMetadata(name, monotonic ? "counter" : "gauge", metric.Description, metric.Unit));
                var kind = sum.AggregationTemporality == AggregationTemporality.Delta ? SampleKind.Delta : SampleKind.Absolute;
                foreach (var point in sum.DataPoints)
                {
                    newest = Math.Max(newest, Number(name, point, baseLabels, kind, counter: monotonic, offset, samples));
                }
                break;
            }
            case Metric.DataOneofCase.Histogram:
            {
                var name = PrometheusNames.MetricName(metric.Name, metric.Unit, monotonicSum: false, gauge: false);
                metadata.Add(new MetricMetadata(name, "histogram", metric.Description, metric.Unit));
                var kind = metric.Histogram.AggregationTemporality == AggregationTemporality.Delta ? SampleKind.Delta : SampleKind.Absolute;
                foreach (var point in metric.Histogram.DataPoints)
                {
                    var buckets = new List<(double UpperBound, double Count)>();
                    for (var i = 0; i < point.BucketCounts.Count; i++)
                    {
                        buckets.Add((i < point.ExplicitBounds.Count ? point.ExplicitBounds[i] : double.PositiveInfinity, point.BucketCounts[i]));
                    }
                    if (point.BucketCounts.Count == 0) buckets.Add((double.PositiveInfinity, point.Count));
                    var t = Millis(point.TimeUnixNano);
                    Histogram(name, Labels(baseLabels, point.Attributes), t, Millis(point.StartTimeUnixNano), buckets, point.HasSum ? point.Sum : double.NaN,
                        point.Count, (point.Flags & NoRecordedValue) != 0, kind, offset, samples);
                    newest = Math.Max(newest, t);
                }
                break;
            }
            case Metric.DataOneofCase.ExponentialHistogram:
            {
                var name = PrometheusNames.MetricName(metric.Name, metric.Unit, monotonicSum: false, gauge: false);
                metadata.Add(new MetricMetadata(name, "histogram", metric.Description, metric.Unit));
                var kind = metric.ExponentialHistogram.AggregationTemporality == AggregationTemporality.Delta ? SampleKind.Delta : SampleKind.Absolute;
                foreach (var point in metric.ExponentialHistogram.DataPoints)
                {
                    var t = Millis(point.TimeUnixNano);
                    Histogram(name, Labels(baseLabels, point.Attributes), t, Millis(point.StartTimeUnixNano), ExponentialBuckets(point),
                        point.HasSum ? point.Sum : double.NaN, point.Count, (point.Flags & NoRecordedValue) != 0, kind, offset, samples);
                    newest = Math.Max(newest, t);
                }
                break;
            }
            case Metric.DataOneofCase.Summary:
            {
                var name = PrometheusNames.MetricName(metric.Name, metric.Unit, monotonicSum: false, gauge: false);
                metadata.Add(new MetricMetadata(name, "summary", metric.Description, metric.Unit));
                foreach (var point in metric.Summary.DataPoints)
                {
                    var labels = Labels(baseLabels, point.Attributes);
                    var t = Millis(point.TimeUnixNano);
                    var stale = (point.Flags & NoRecordedValue) != 0;
                    var start = Millis(point.StartTimeUnixNano);
                    foreach (var quantile in point.QuantileValues)
                    {
                        Add(samples, labels, name, ("quantile", PromFloat.Format(quantile.Quantile)), t, stale ? StaleMarker.Value : quantile.Value, SampleKind.Absolute, 0, offset);
                    }
                    Add(samples, labels, name + "_sum", null, t, stale ? StaleMarker.Value : point.Sum, SampleKind.Absolute, start, offset);
                    Add(samples, labels, name + "_count", null, t, stale ? StaleMarker.Value : point.Count, SampleKind.Absolute, start, offset);
                    newest = Math.Max(newest, t);
                }
                break;
            }
        }
        return newest;
    }

    private static long Number(string name, NumberDataPoint point, List<Label> baseLabels, SampleKind kind, bool counter, long offset, List<ConvertedSample> samples)
    {
        var value = point.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? point.AsInt : point.AsDouble;
        var stale = (point.Flags & NoRecordedValue) != 0;
        var t = Millis(point.TimeUnixNano);
        Add(samples, Labels(baseLabels, point.Attributes), name, null, t, stale ? StaleMarker.Value : value,
            stale ? SampleKind.Absolute : kind, counter ? Millis(point.StartTimeUnixNano) : 0, offset);
        return t;
    }

    /// <summary>Writes a histogram's <c>_bucket</c> (cumulative over <c>le</c>), <c>_sum</c> and <c>_count</c> series.</summary>
    internal static void Histogram(string name, List<Label> labels, long t, long start, List<(double UpperBound, double Count)> buckets, double sum,
        double count, bool stale, SampleKind kind, long offset, List<ConvertedSample> samples)
    {
        var cumulative = 0.0;
        foreach (var (upperBound, bucketCount) in buckets.OrderBy(b => b.UpperBound))
        {
            cumulative += bucketCount;
            if (double.IsPositiveInfinity(upperBound)) continue;
            Add(samples, labels, name + "_bucket", ("le", PromFloat.Format(upperBound)), t, stale ? StaleMarker.Value : cumulative,
                stale ? SampleKind.Absolute : kind, start, offset);
        }
        Add(samples, labels, name + "_bucket", ("le", "+Inf"), t, stale ? StaleMarker.Value : count, stale ? SampleKind.Absolute : kind, start, offset);
        if (!double.IsNaN(sum) || stale)
        {
            Add(samples, labels, name + "_sum", null, t, stale ? StaleMarker.Value : sum, stale ? SampleKind.Absolute : kind, start, offset);
        }
        Add(samples, labels, name + "_count", null, t, stale ? StaleMarker.Value : count, stale ? SampleKind.Absolute : kind, start, offset);
    }

    /// <summary>An exponential histogram's buckets as (upper bound, count): bucket i of scale s ends at 2^((i+1)·2^-s).</summary>
    private static List<(double UpperBound, double Count)> ExponentialBuckets(ExponentialHistogramDataPoint point)
    {
        var buckets = new List<(double, double)>();
        var bas = Math.Pow(2, Math.Pow(2, -point.Scale));
        if (point.Negative is { } negative)
        {
            for (var i = 0; i < negative.BucketCounts.Count; i++)
            {
                // Negative bucket index k holds (-base^(k+1), -base^k]: its upper bound is -base^k.
                buckets.Add((-Math.Pow(bas, negative.Offset + i), negative.BucketCounts[i]));
            }
        }
        buckets.Add((point.ZeroThreshold, point.ZeroCount));
        if (point.Positive is { } positive)
        {
            for (var i = 0; i < positive.BucketCounts.Count; i++)
            {
                buckets.Add((Math.Pow(bas, positive.Offset + i + 1), positive.BucketCounts[i]));
            }
        }
        buckets.Add((double.PositiveInfinity, 0));
        return buckets;
    }

    private static List<Label> Labels(List<Label> baseLabels, Google.Protobuf.Collections.RepeatedField<OpenTelemetry.Proto.Common.V1.KeyValue> attributes)
    {
        var labels = new List<Label>(baseLabels.Count + attributes.Count);
        labels.AddRange(OtlpLabels.Attributes(attributes));
        // Resource and scope labels win over point attributes of the same name (job, instance, otel_scope_*).
        labels.AddRange(baseLabels);
        return labels;
    }

    internal static void Add(List<ConvertedSample> samples, List<Label> labels, string name, (string Name, string Value)? extra, long t, double value,
        SampleKind kind, long start, long offset)
    {
        var all = new List<Label>(labels.Count + 2) { new(Promql.Series.Labels.MetricName, name) };
        all.AddRange(labels);
        if (extra is { } e) all.Add(new Label(e.Name, e.Value));
        samples.Add(new ConvertedSample(Promql.Series.Labels.From(all), t, value, kind, start, offset));
    }

    /// <summary>Unix nanoseconds → milliseconds.</summary>
    public static long Millis(ulong unixNanos) => (long)(unixNanos / 1_000_000);
}
