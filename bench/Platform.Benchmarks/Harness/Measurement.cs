using System.Collections.Concurrent;
using System.Diagnostics;

namespace Platform.Benchmarks;

/// <summary>Per-operation latencies (acknowledgement times), recorded from many tasks.</summary>
internal sealed class LatencyRecorder
{
    private readonly ConcurrentQueue<double> _ms = new();

    public void Add(long startTimestamp) => _ms.Enqueue(Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds);

    public void AddMilliseconds(double ms) => _ms.Enqueue(ms);

    public double[] Sorted() => [.. _ms.Order()];

    public int Count => _ms.Count;
}

/// <summary>One run: how much, how fast, and the latency percentiles of its operations.</summary>
internal sealed record Measurement(long Records, long Bytes, TimeSpan Elapsed, double P50Ms, double P99Ms, double P999Ms)
{
    /// <summary>Operations that got an error answer (HTTP); not counted in Records.</summary>
    public long Failed { get; init; }

    /// <summary>Fetches made (read-path runs).</summary>
    public int FetchCount { get; init; }

    public double RecordsPerSecond => Records / Elapsed.TotalSeconds;

    public double MBps => Bytes / Elapsed.TotalSeconds / 1e6;

    public static Measurement Of(long records, long bytes, TimeSpan elapsed, LatencyRecorder latencies)
    {
        double[] sorted = latencies.Sorted();
        return new Measurement(records, bytes, elapsed, Percentile(sorted, 0.50), Percentile(sorted, 0.99), Percentile(sorted, 0.999));
    }

    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
}

/// <summary>Min, median and max of a figure over repeated rounds.</summary>
internal sealed record Summary(double Min, double Median, double Max)
{
    public static Summary From(IEnumerable<double> values)
    {
        double[] v = [.. values.Order()];
        return new Summary(v[0], v[v.Length / 2], v[^1]);
    }

    public string Format(string number = "N0") =>
        Min == Max ? Median.ToString(number, System.Globalization.CultureInfo.InvariantCulture)
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Median.ToString(number, System.Globalization.CultureInfo.InvariantCulture)} ({Min.ToString(number, System.Globalization.CultureInfo.InvariantCulture)}–{Max.ToString(number, System.Globalization.CultureInfo.InvariantCulture)})");
}

/// <summary>Repeats a run and summarises it.</summary>
internal sealed record Rounds(IReadOnlyList<Measurement> Runs)
{
    public Summary RecordsPerSecond => Summary.From(Runs.Select(r => r.RecordsPerSecond));

    public Summary MBps => Summary.From(Runs.Select(r => r.MBps));

    public Summary P50 => Summary.From(Runs.Select(r => r.P50Ms));

    public Summary P99 => Summary.From(Runs.Select(r => r.P99Ms));

    public Summary P999 => Summary.From(Runs.Select(r => r.P999Ms));

    public long Failed => Runs.Sum(r => r.Failed);

    public static async Task<Rounds> RunAsync(int rounds, Func<Task<Measurement>> run)
    {
        var runs = new List<Measurement>();
        for (int i = 0; i < rounds; i++)
        {
            runs.Add(await run());
        }

        return new Rounds(runs);
    }
}
