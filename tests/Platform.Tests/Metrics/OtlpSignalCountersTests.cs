using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;
using Platform.Core.Metrics.Conversion;

namespace Platform.Tests.Metrics;

/// <summary>Logs and spans counted into series, as the Collector's count and spanmetrics connectors do.</summary>
public sealed class OtlpSignalCountersTests
{
    private const ulong T = 1_767_225_600_000_000_000;
    private static readonly Resource Service = new() { Attributes = { new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = "api" } } } };

    [Fact]
    public void Log_records_are_counted_by_the_short_name_of_their_severity()
    {
        var scope = new ScopeLogs();
        scope.LogRecords.Add(new LogRecord { SeverityNumber = SeverityNumber.Error, SeverityText = "Error", TimeUnixNano = T });
        scope.LogRecords.Add(new LogRecord { SeverityNumber = SeverityNumber.Error3, TimeUnixNano = T + 1_000_000_000 });
        scope.LogRecords.Add(new LogRecord { SeverityText = "notice", ObservedTimeUnixNano = T });
        scope.LogRecords.Add(new LogRecord { SeverityNumber = SeverityNumber.Warn, SeverityText = "Warning", TimeUnixNano = T });
        var samples = new List<ConvertedSample>();
        OtlpSignalCounters.CountLogs(new ResourceLogs { Resource = Service, ScopeLogs = { scope } }, 9, samples, []);

        var bySeverity = samples.ToDictionary(s => s.Series.Get("severity"));
        Assert.Equal(["ERROR", "NOTICE", "WARN"], bySeverity.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((2.0, 1_767_225_601_000L, SampleKind.Delta), (bySeverity["ERROR"].Value, bySeverity["ERROR"].T, bySeverity["ERROR"].Kind));
        Assert.All(samples, s => Assert.Equal(("log_records_total", "api"), (s.Series.Name, s.Series.Get("job"))));
    }

    [Fact]
    public void Spans_are_counted_and_their_durations_bucketed_by_name_kind_and_status()
    {
        var scope = new ScopeSpans();
        foreach (var ms in new[] { 3, 30, 3000 })
        {
            scope.Spans.Add(new Span { Name = "GET /orders", Kind = Span.Types.SpanKind.Server, StartTimeUnixNano = T, EndTimeUnixNano = T + (ulong)ms * 1_000_000 });
        }
        scope.Spans.Add(new Span { Name = "GET /orders", Kind = Span.Types.SpanKind.Server, StartTimeUnixNano = T, EndTimeUnixNano = T + 1, Status = new Status { Code = Status.Types.StatusCode.Error } });
        var samples = new List<ConvertedSample>();
        OtlpSignalCounters.CountSpans(new ResourceSpans { Resource = Service, ScopeSpans = { scope } }, 3, samples, []);

        var ok = samples.Where(s => s.Series.Get("status_code") == "STATUS_CODE_UNSET").ToList();
        Assert.Equal(3, ok.Single(s => s.Series.Name == "spans_total").Value);
        Assert.Equal(1, samples.Single(s => s.Series.Name == "spans_total" && s.Series.Get("status_code") == "STATUS_CODE_ERROR").Value);
        var buckets = ok.Where(s => s.Series.Name == "span_duration_seconds_bucket").ToDictionary(s => s.Series.Get("le"), s => s.Value);
        Assert.Equal((0.0, 1.0, 2.0, 2.0, 3.0, 3.0), (buckets["0.002"], buckets["0.004"], buckets["0.05"], buckets["2"], buckets["5"], buckets["+Inf"]));
        Assert.Equal(3.033, ok.Single(s => s.Series.Name == "span_duration_seconds_sum").Value, 9);
        Assert.All(ok, s => Assert.Equal(("GET /orders", "SPAN_KIND_SERVER"), (s.Series.Get("span_name"), s.Series.Get("span_kind"))));
    }
}
