using System.Diagnostics;
using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;
using Platform.Benchmarks.Peers;
using Platform.Core.Consumers;
using Platform.Core.Ingestion.Otlp;
using Platform.Core.Log;
using Platform.Core.Metrics;
using Platform.Core.Metrics.Aggregation;
using Platform.Core.Metrics.Conversion;
using Platform.Core.Metrics.Query;
using Platform.Core.Storage.Azure;
using Platform.Promql.Api;
using Platform.Promql.Engine;
using Platform.Promql.Series;

namespace Platform.Benchmarks;

/// <summary>What the metrics section measured.</summary>
internal sealed record MetricsResult(long JobPoints, TimeSpan JobElapsed, int JobRecords, IReadOnlyList<QueryLatency> Queries, string? ReferenceWhy, long StoredSamples, TimeSpan StoreElapsed);

/// <summary>Latency of one query shape on the platform and on the real Prometheus over the same samples.</summary>
internal sealed record QueryLatency(string Name, string Query, int Runs, double P50Ms, double P99Ms, double? ReferenceP50Ms, double? ReferenceP99Ms, int Series);

/// <summary>
/// The metrics job and the query API: (1) the aggregation job's throughput in points per second from a backlog of
/// OTLP metric records (cumulative counters of 1,000 series, 100 per record), stored in tables on Azurite; (2) query
/// latency of <c>sum by (job) (rate(x[5m]))</c> over 1 h and 24 h of 1,000 series at 60 s, beside the real Prometheus
/// (Debian's package) over the same samples.
/// </summary>
internal static class MetricsBenchmark
{
    private const int Series = 1_000;
    private const int SeriesPerRecord = 100;
    private const string Metric = "http_requests_total";

    public static async Task<MetricsResult> RunAsync(string storage, string mode, Action<string> step)
    {
        var smoke = mode == "smoke";
        step("metrics job: backlog of OTLP metric records");
        var (points, elapsed, records) = await JobThroughputAsync(storage, rounds: smoke ? 2 : mode == "quick" ? 12 : 40);
        var hours = smoke ? 2 : 24;
        step($"metrics queries: {hours} h of 1,000 series at 60 s");
        var end = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 60_000 * 60_000;
        var data = Samples(end, hours);
        var (store, storedElapsed) = await StoreAsync(storage, data, end, hours);
        var querier = new StoredSeriesQuerier(store);
        var engine = new QueryEngine(new EngineOptions { MaxSamples = 50_000_000 });
        var shapes = new (string Name, string Query, long Range, long Step)[]
        {
            ("1 h, step 15 s", $"sum by (job) (rate({Metric}[5m]))", 3_600_000, 15_000),
            ("24 h, step 5 min", $"sum by (job) (rate({Metric}[5m]))", 86_400_000, 300_000),
        }.Where(s => s.Range <= hours * 3_600_000L).ToArray();
        var runs = smoke ? 1 : mode == "quick" ? 5 : 20;
        var platform = new List<(double P50, double P99, int Series)>();
        foreach (var shape in shapes)
        {
            step($"metrics query {shape.Name} on the platform");
            var latencies = new List<double>();
            var seriesOut = 0;
            for (var i = 0; i < runs; i++)
            {
                var started = Stopwatch.GetTimestamp();
                var result = await engine.RangeAsync(querier, shape.Query, end - shape.Range, end, shape.Step, CancellationToken.None);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                seriesOut = result.Series.Count;
            }
            latencies.Sort();
            platform.Add((Measurement.Percentile([.. latencies], 0.5), Measurement.Percentile([.. latencies], 0.99), seriesOut));
        }

        var reference = new List<(double P50, double P99)?>();
        string? why = smoke ? "the smoke run does not start it" : PrometheusServer.Missing;
        if (why is null)
        {
            step("metrics queries on the real Prometheus (promtool create-blocks, then the same queries over HTTP)");
            await using var prometheus = await PrometheusServer.StartAsync(PrometheusServer.OpenMetrics(data.Select(d => (d.Labels, (IReadOnlyList<Point>)d.Points))), CancellationToken.None);
            using var http = new HttpClient { BaseAddress = prometheus.Url, Timeout = TimeSpan.FromMinutes(2) };
            foreach (var shape in shapes)
            {
                var latencies = new List<double>();
                for (var i = 0; i < runs; i++)
                {
                    var started = Stopwatch.GetTimestamp();
                    using var response = await http.GetAsync(new Uri(
                        $"api/v1/query_range?query={Uri.EscapeDataString(shape.Query)}&start={PromFloat.FormatTime(end - shape.Range)}&end={PromFloat.FormatTime(end)}&step={shape.Step / 1000}",
                        UriKind.Relative));
                    await response.Content.ReadAsByteArrayAsync();
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                latencies.Sort();
                reference.Add((Measurement.Percentile([.. latencies], 0.5), Measurement.Percentile([.. latencies], 0.99)));
            }
        }
        var rows = shapes.Select((s, i) => new QueryLatency(s.Name, s.Query, runs, platform[i].P50, platform[i].P99,
            i < reference.Count ? reference[i]?.P50 : null, i < reference.Count ? reference[i]?.P99 : null, platform[i].Series)).ToList();
        return new MetricsResult(points, elapsed, records, rows, why, data.Sum(s => s.Points.Count), storedElapsed);
    }

    private static async Task<(long Points, TimeSpan Elapsed, int Records)> JobThroughputAsync(string storage, int rounds)
    {
        var store = await NewStoreAsync(storage, "job");
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var writer = new SampleWriter(store, Microsoft.Extensions.Options.Options.Create(new MetricsOptions()), new MetricsTelemetry(), TimeProvider.System, NullLogger<SampleWriter>.Instance);
        var aggregator = new MetricsAggregator(writer, store, Microsoft.Extensions.Options.Options.Create(new OtlpOptions()));
        // The backlog: each round, every series gets one point, 100 series to a record, as a Collector batch would send.
        var batches = new List<ConsumerBatch>();
        long offset = 0;
        for (var round = 0; round < rounds; round++)
        {
            var t = now - (rounds - round) * 15_000L;
            var records = new List<LogRecord>();
            for (var first = 0; first < Series; first += SeriesPerRecord)
            {
                records.Add(new LogRecord(offset++, t, t, null, Request(first, t, round).ToByteArray(), []));
            }
            batches.Add(new ConsumerBatch("metrics", new TopicPartition("otlp.metrics", 0), records));
        }
        var started = Stopwatch.GetTimestamp();
        foreach (var batch in batches)
        {
            var failures = await aggregator.HandleAsync(batch, CancellationToken.None);
            if (failures.Count > 0) throw new InvalidOperationException(failures[0].Error);
        }
        return ((long)rounds * Series, Stopwatch.GetElapsedTime(started), batches.Sum(b => b.Records.Count));
    }

    private static ExportMetricsServiceRequest Request(int firstSeries, long t, int round)
    {
        var job = $"svc{firstSeries / SeriesPerRecord}";
        var sum = new Sum { AggregationTemporality = AggregationTemporality.Cumulative, IsMonotonic = true };
        for (var i = firstSeries; i < firstSeries + SeriesPerRecord; i++)
        {
            sum.DataPoints.Add(new NumberDataPoint
            {
                AsInt = (round + 1) * (i + 1),
                TimeUnixNano = (ulong)t * 1_000_000,
                StartTimeUnixNano = 1,
                Attributes = { new KeyValue { Key = "route", Value = new AnyValue { StringValue = $"/r{i}" } } },
            });
        }
        var scope = new ScopeMetrics();
        scope.Metrics.Add(new Metric { Name = "http.requests", Sum = sum });
        var resource = new ResourceMetrics { Resource = new Resource { Attributes = { new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = job } } } } };
        resource.ScopeMetrics.Add(scope);
        return new ExportMetricsServiceRequest { ResourceMetrics = { resource } };
    }

    private static List<(Labels Labels, List<Point> Points)> Samples(long end, int hours)
    {
        var data = new List<(Labels, List<Point>)>();
        var random = new Random(11);
        for (var s = 0; s < Series; s++)
        {
            var labels = Labels.Of("__name__", Metric, "job", $"job{s % 10}", "instance", $"i{s}");
            var points = new List<Point>();
            double value = random.Next(1000);
            for (var t = end - hours * 3_600_000L; t <= end; t += 60_000)
            {
                value += random.Next(100);
                points.Add(new Point(t, value));
            }
            data.Add((labels, points));
        }
        return data;
    }

    private static async Task<(Platform.Core.Storage.IMetricStore Store, TimeSpan Elapsed)> StoreAsync(string storage, List<(Labels Labels, List<Point> Points)> data, long end, int hours)
    {
        var store = await NewStoreAsync(storage, "query");
        var writer = new SampleWriter(store, Microsoft.Extensions.Options.Options.Create(new MetricsOptions { LateSampleGrace = TimeSpan.FromDays(2) }),
            new MetricsTelemetry(), new FixedClock(DateTimeOffset.FromUnixTimeMilliseconds(end)), NullLogger<SampleWriter>.Instance);
        var started = Stopwatch.GetTimestamp();
        // An hour of every series per call: one chunk per series and block.
        for (var from = end - hours * 3_600_000L; from <= end; from += 3_600_000)
        {
            var samples = data.SelectMany(s => s.Points.Where(p => p.T >= from && p.T < from + 3_600_000 || (p.T == end && from + 3_600_000 > end))
                .Select(p => new ConvertedSample(s.Labels, p.T, p.F, SampleKind.Absolute, 0, 0))).ToList();
            await writer.WriteAsync("bench/0", samples, CancellationToken.None);
        }
        return (store, Stopwatch.GetElapsedTime(started));
    }

    private static async Task<AzureMetricStore> NewStoreAsync(string storage, string name)
    {
        var tables = new TableServiceClient(storage);
        var prefix = "bench" + name + Guid.NewGuid().ToString("N")[..6];
        var store = new AzureMetricStore(tables.GetTableClient(prefix + "series"), tables.GetTableClient(prefix + "chunks"), tables.GetTableClient(prefix + "state"));
        await store.EnsureCreatedAsync(CancellationToken.None);
        return store;
    }

    public static string Report(MetricsResult r)
    {
        var text = new StringBuilder();
        text.AppendLine("## Metrics: the aggregation job and PromQL queries");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Job: {r.JobPoints:N0} points (cumulative counters of {Series:N0} series, {SeriesPerRecord} to an OTLP record, {r.JobRecords:N0} records) decoded, converted and stored in {r.JobElapsed.TotalSeconds:N1} s: **{r.JobPoints / r.JobElapsed.TotalSeconds:N0} points/s** (one job instance, tables on Azurite).");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Query data: {r.StoredSamples:N0} samples ({Series:N0} series at 60 s) stored in {r.StoreElapsed.TotalSeconds:N1} s.");
        text.AppendLine();
        text.AppendLine("| query range | runs | series out | platform p50 | platform p99 | Prometheus p50 | Prometheus p99 |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var q in r.Queries)
        {
            string Ms(double? v) => v is { } x ? x.ToString("N1", CultureInfo.InvariantCulture) + " ms" : "—";
            text.AppendLine(CultureInfo.InvariantCulture, $"| `{q.Query}` {q.Name} | {q.Runs} | {q.Series} | {Ms(q.P50Ms)} | {Ms(q.P99Ms)} | {Ms(q.ReferenceP50Ms)} | {Ms(q.ReferenceP99Ms)} |");
        }
        if (r.ReferenceWhy is not null) text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Prometheus reference not run: {r.ReferenceWhy}.");
        return text.ToString();
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
