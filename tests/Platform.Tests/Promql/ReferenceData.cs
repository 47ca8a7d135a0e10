using System.Globalization;
using Platform.Promql.Series;
using Platform.Promql.Storage;

namespace Platform.Tests.Promql;

/// <summary>
/// One hour of deterministic samples (counters with a reset, gauges, classic histograms, an info series, a series
/// that stops, one with irregular gaps), written both as OpenMetrics text for promtool and into the engine's store.
/// </summary>
internal sealed class ReferenceData
{
    public const long T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z
    public const long Minute = 60_000;

    private readonly List<(Labels Labels, List<Point> Points)> _series = [];

    public ReferenceData()
    {
        var random = new Random(20261126);
        var jobs = new[] { "api", "web" };
        var instances = new[] { "a", "b" };

        foreach (var job in jobs)
        foreach (var instance in instances)
        foreach (var method in new[] { "get", "post" })
        {
            var rate = 1 + random.Next(20);
            var value = (double)random.Next(1000);
            var reset = job == "api" && instance == "a" && method == "get";
            Add(Labels.Of("__name__", "http_requests_total", "job", job, "instance", instance, "method", method), Every15s(t =>
            {
                value += random.Next(rate * 15);
                if (reset && t == T0 + 30 * Minute) value = 3;
                return value;
            }));
        }

        foreach (var job in jobs)
        foreach (var instance in instances)
        {
            var temp = 40.0 + random.Next(20);
            Add(Labels.Of("__name__", "cpu_temp", "job", job, "instance", instance), Every15s(_ =>
            {
                temp += (random.NextDouble() - 0.5) * 2;
                return Math.Round(temp, 3);
            }));
            Add(Labels.Of("__name__", "temperature_delta", "job", job, "instance", instance), Every15s(_ => Math.Round((random.NextDouble() - 0.5) * 20, 2)));
            Add(Labels.Of("__name__", "build_info", "job", job, "instance", instance, "version", job == "api" ? "1.4.2" : "2.0.0"), Every15s(_ => 1));
        }

        var bounds = new[] { "0.05", "0.1", "0.5", "1", "5", "+Inf" };
        foreach (var job in jobs)
        {
            var counts = new double[bounds.Length];
            var sum = 0.0;
            var perStep = new List<(double[] Counts, double Sum)>();
            for (var t = T0; t <= T0 + 60 * Minute; t += 15_000)
            {
                var observations = 5 + random.Next(30);
                for (var i = 0; i < observations; i++)
                {
                    var latency = Math.Round(Math.Exp(random.NextDouble() * 5 - 4), 4);
                    sum += latency;
                    for (var b = 0; b < bounds.Length; b++)
                    {
                        if (b == bounds.Length - 1 || latency <= double.Parse(bounds[b], CultureInfo.InvariantCulture)) counts[b]++;
                    }
                }
                perStep.Add(((double[])counts.Clone(), Math.Round(sum, 4)));
            }
            for (var b = 0; b < bounds.Length; b++)
            {
                var bucket = b;
                Add(Labels.Of("__name__", "request_duration_seconds_bucket", "job", job, "le", bounds[b]), Every15s(t => perStep[(int)((t - T0) / 15_000)].Counts[bucket]));
            }
            Add(Labels.Of("__name__", "request_duration_seconds_sum", "job", job), Every15s(t => perStep[(int)((t - T0) / 15_000)].Sum));
            Add(Labels.Of("__name__", "request_duration_seconds_count", "job", job), Every15s(t => perStep[(int)((t - T0) / 15_000)].Counts[^1]));
        }

        foreach (var queue in new[] { "q1", "q2", "q3" })
        {
            Add(Labels.Of("__name__", "queue_depth", "job", "api", "queue", queue), Every15s(_ => random.Next(6)));
        }

        Add(Labels.Of("__name__", "flappy", "job", "api"), Every15s(t => t <= T0 + 20 * Minute ? random.Next(100) : double.NaN)
            .Where(p => !double.IsNaN(p.F)).ToList());

        var irregular = new List<Point>();
        var counter = 0.0;
        for (var t = T0; t <= T0 + 60 * Minute; t += (10 + random.Next(4) * random.Next(4) * 25) * 1000L)
        {
            counter += random.Next(50);
            irregular.Add(new Point(t, counter));
        }
        Add(Labels.Of("__name__", "irregular_total", "job", "api"), irregular);
    }

    public IReadOnlyList<(Labels Labels, List<Point> Points)> Series => _series;

    private void Add(Labels labels, List<Point> points) => _series.Add((labels, points));

    private static List<Point> Every15s(Func<long, double> value)
    {
        var points = new List<Point>();
        for (var t = T0; t <= T0 + 60 * Minute; t += 15_000) points.Add(new Point(t, value(t)));
        return points;
    }

    public InMemorySeriesStore ToStore()
    {
        var store = new InMemorySeriesStore();
        foreach (var (labels, points) in _series)
        {
            foreach (var point in points) store.Add(labels, point.T, point.F);
        }
        return store;
    }

    /// <summary>The same samples as OpenMetrics text for promtool.</summary>
    public string ToOpenMetrics() => Platform.Benchmarks.Peers.PrometheusServer.OpenMetrics(_series.Select(s => (s.Labels, (IReadOnlyList<Point>)s.Points)));
}
