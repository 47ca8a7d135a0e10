using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;
using Platform.Core.Metrics.Conversion;
using Platform.Promql.Series;

namespace Platform.Tests.Metrics;

/// <summary>Every OTLP point type becomes the Prometheus series the specification names.</summary>
public sealed class OtlpMetricsConverterTests
{
    private const ulong T = 1_767_225_600_000_000_000;

    private static ResourceMetrics Resource(params Metric[] metrics)
    {
        var resource = new ResourceMetrics
        {
            Resource = new Resource
            {
                Attributes =
                {
                    new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = "checkout" } },
                    new KeyValue { Key = "service.namespace", Value = new AnyValue { StringValue = "shop" } },
                    new KeyValue { Key = "service.instance.id", Value = new AnyValue { StringValue = "i-1" } },
                    new KeyValue { Key = "host.name", Value = new AnyValue { StringValue = "vm7" } },
                },
            },
        };
        var scope = new ScopeMetrics { Scope = new InstrumentationScope { Name = "shop.lib", Version = "1.2" } };
        scope.Metrics.AddRange(metrics);
        resource.ScopeMetrics.Add(scope);
        return resource;
    }

    private static KeyValue Attr(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    private static (List<ConvertedSample> Samples, List<MetricMetadata> Metadata) Convert(params Metric[] metrics)
    {
        var samples = new List<ConvertedSample>();
        var metadata = new List<MetricMetadata>();
        OtlpMetricsConverter.Convert(Resource(metrics), 42, samples, metadata);
        return (samples, metadata);
    }

    [Fact]
    public void A_cumulative_monotonic_sum_is_a_total_with_job_instance_scope_and_point_labels()
    {
        var sum = new Sum { AggregationTemporality = AggregationTemporality.Cumulative, IsMonotonic = true };
        sum.DataPoints.Add(new NumberDataPoint { AsInt = 7, TimeUnixNano = T, StartTimeUnixNano = T - 10_000_000_000, Attributes = { Attr("http.method", "GET") } });
        var (samples, metadata) = Convert(new Metric { Name = "http.requests", Unit = "{request}", Sum = sum });

        var total = Assert.Single(samples, s => s.Series.Name == "http_requests_total");
        Assert.Equal(Labels.Of("__name__", "http_requests_total", "job", "shop/checkout", "instance", "i-1", "otel_scope_name", "shop.lib",
            "otel_scope_version", "1.2", "http_method", "GET"), total.Series);
        Assert.Equal(7, total.Value);
        Assert.Equal(SampleKind.Absolute, total.Kind);
        Assert.Equal(1_767_225_590_000, total.StartT);
        Assert.Equal(42, total.Offset);
        var info = Assert.Single(samples, s => s.Series.Name == "target_info");
        Assert.Equal(Labels.Of("__name__", "target_info", "job", "shop/checkout", "instance", "i-1", "host_name", "vm7"), info.Series);
        Assert.Contains(metadata, m => m is { Metric: "http_requests_total", Type: "counter" });
    }

    [Fact]
    public void A_delta_sum_is_an_increment_and_a_non_monotonic_sum_a_gauge_without_restarts()
    {
        var delta = new Sum { AggregationTemporality = AggregationTemporality.Delta, IsMonotonic = true };
        delta.DataPoints.Add(new NumberDataPoint { AsDouble = 2.5, TimeUnixNano = T, StartTimeUnixNano = T - 1 });
        var updown = new Sum { AggregationTemporality = AggregationTemporality.Cumulative, IsMonotonic = false };
        updown.DataPoints.Add(new NumberDataPoint { AsInt = -3, TimeUnixNano = T, StartTimeUnixNano = T - 1 });
        var (samples, metadata) = Convert(new Metric { Name = "jobs.done", Sum = delta }, new Metric { Name = "queue.length", Sum = updown });

        Assert.Equal(SampleKind.Delta, Assert.Single(samples, s => s.Series.Name == "jobs_done_total").Kind);
        var gauge = Assert.Single(samples, s => s.Series.Name == "queue_length");
        Assert.Equal((-3.0, 0L), (gauge.Value, gauge.StartT));
        Assert.Contains(metadata, m => m is { Metric: "queue_length", Type: "gauge" });
    }

    [Fact]
    public void An_explicit_histogram_has_cumulative_buckets_sum_and_count()
    {
        var histogram = new Histogram { AggregationTemporality = AggregationTemporality.Cumulative };
        histogram.DataPoints.Add(new HistogramDataPoint
        {
            TimeUnixNano = T, Count = 10, Sum = 4.5, ExplicitBounds = { 0.1, 1 }, BucketCounts = { 3, 5, 2 },
        });
        var (samples, _) = Convert(new Metric { Name = "rpc.duration", Unit = "s", Histogram = histogram });

        var buckets = samples.Where(s => s.Series.Name == "rpc_duration_seconds_bucket").ToDictionary(s => s.Series.Get("le"), s => s.Value);
        Assert.Equal(new Dictionary<string, double> { ["0.1"] = 3, ["1"] = 8, ["+Inf"] = 10 }, buckets);
        Assert.Equal(4.5, Assert.Single(samples, s => s.Series.Name == "rpc_duration_seconds_sum").Value);
        Assert.Equal(10, Assert.Single(samples, s => s.Series.Name == "rpc_duration_seconds_count").Value);
    }

    [Fact]
    public void An_exponential_histogram_becomes_le_buckets_at_its_boundaries()
    {
        var histogram = new ExponentialHistogram { AggregationTemporality = AggregationTemporality.Cumulative };
        // Scale 0: base 2. Positive offset 0 → buckets (1,2], (2,4]; zero bucket; negative offset 0 → (-2,-1].
        histogram.DataPoints.Add(new ExponentialHistogramDataPoint
        {
            TimeUnixNano = T, Scale = 0, Count = 7, Sum = 5, ZeroCount = 1,
            Positive = new ExponentialHistogramDataPoint.Types.Buckets { Offset = 0, BucketCounts = { 2, 3 } },
            Negative = new ExponentialHistogramDataPoint.Types.Buckets { Offset = 0, BucketCounts = { 1 } },
        });
        var (samples, _) = Convert(new Metric { Name = "size", ExponentialHistogram = histogram });

        var buckets = samples.Where(s => s.Series.Name == "size_bucket").ToDictionary(s => s.Series.Get("le"), s => s.Value);
        Assert.Equal(new Dictionary<string, double> { ["-1"] = 1, ["0"] = 2, ["2"] = 4, ["4"] = 7, ["+Inf"] = 7 }, buckets);
    }

    [Fact]
    public void A_summary_has_quantiles_sum_and_count_and_no_recorded_value_is_a_staleness_marker()
    {
        var summary = new Summary();
        summary.DataPoints.Add(new SummaryDataPoint
        {
            TimeUnixNano = T, Count = 4, Sum = 10,
            QuantileValues = { new SummaryDataPoint.Types.ValueAtQuantile { Quantile = 0.5, Value = 2 }, new SummaryDataPoint.Types.ValueAtQuantile { Quantile = 0.99, Value = 4 } },
        });
        var gauge = new Gauge();
        gauge.DataPoints.Add(new NumberDataPoint { TimeUnixNano = T, Flags = 1 });
        var (samples, metadata) = Convert(new Metric { Name = "latency", Unit = "ms", Summary = summary }, new Metric { Name = "temp", Gauge = gauge });

        Assert.Equal(2, Assert.Single(samples, s => s.Series.Get("quantile") == "0.5").Value);
        Assert.Equal(4, Assert.Single(samples, s => s.Series.Get("quantile") == "0.99").Value);
        Assert.Equal(10, Assert.Single(samples, s => s.Series.Name == "latency_milliseconds_sum").Value);
        Assert.True(StaleMarker.Is(Assert.Single(samples, s => s.Series.Name == "temp").Value));
        Assert.Contains(metadata, m => m is { Metric: "latency_milliseconds", Type: "summary" });
    }

    [Fact]
    public void Attribute_keys_that_sanitize_alike_join_their_values()
    {
        var gauge = new Gauge();
        gauge.DataPoints.Add(new NumberDataPoint { AsDouble = 1, TimeUnixNano = T, Attributes = { Attr("a.b", "x"), Attr("a_b", "y") } });
        var (samples, _) = Convert(new Metric { Name = "g", Gauge = gauge });
        Assert.Equal("x;y", Assert.Single(samples, s => s.Series.Name == "g").Series.Get("a_b"));
    }
}
