namespace Platform.Benchmarks;

/// <summary>The core appender at one record size and partition count, beside raw AppendBlock at the block size it wrote.</summary>
internal sealed record AppenderRow(int Size, int Partitions, Rounds Platform, Rounds Floor, double AverageBatchBytes);

/// <summary>The core appender with a given number of producers over a given number of partitions (1 KiB records).</summary>
internal sealed record ScaleRow(int Partitions, int Producers, Rounds Result);

/// <summary>One round of 1x and 10x the records through the platform, and 1x and 10x its appends straight to the floor.</summary>
internal sealed record CountRound(Measurement Once, Measurement TenTimes, Measurement RawOnce, Measurement RawTenTimes)
{
    /// <summary>Time of 10x over ten times the time of 1x: 1 is linear.</summary>
    public double PlatformGrowth => TenTimes.Elapsed.TotalSeconds / (10 * Once.Elapsed.TotalSeconds);

    public double FloorGrowth => RawTenTimes.Elapsed.TotalSeconds / (10 * RawOnce.Elapsed.TotalSeconds);
}

/// <summary>How cost grows with record count, over the rounds.</summary>
internal sealed record CountScale(IReadOnlyList<CountRound> Rounds)
{
    public Summary PlatformGrowth => Summary.From(Rounds.Select(r => r.PlatformGrowth));

    public Summary FloorGrowth => Summary.From(Rounds.Select(r => r.FloorGrowth));

    public Summary Seconds(Func<CountRound, Measurement> which) => Summary.From(Rounds.Select(r => which(r).Elapsed.TotalSeconds));
}

/// <summary>The peer broker at one record size.</summary>
internal sealed record PeerRow(int Size, Rounds Result);

/// <summary>One HTTP path at one body size, partition count (0: not a topic) and concurrency.</summary>
internal sealed record HttpRow(string Path, int Size, int Partitions, int Concurrency, Rounds Result);

/// <summary>Everything one run measured, for the report and the charts.</summary>
internal sealed record BenchResults(
    BenchSettings Settings,
    IReadOnlyList<AppenderRow> Appender,
    IReadOnlyList<ScaleRow> ByProducers,
    IReadOnlyList<ScaleRow> ByPartitions,
    CountScale Count,
    IReadOnlyList<PeerRow> Peer,
    string? PeerMissing,
    IReadOnlyList<HttpRow> Http,
    long HostPeakBytes,
    long HarnessPeakBytes,
    Measurement EndToEnd,
    TimeSpan Took)
{
    public const string RecordsApi = "records API";
    public const string EmptyKestrel = "empty Kestrel endpoint";
    public const string OtlpLogs = "OTLP/HTTP logs, 100 per export";
    public const string OtlpMetrics = "OTLP/HTTP metrics, 100 points per export";

    public int Producers => Settings.Concurrency[^1];

    public AppenderRow Main => Appender.First(a => a.Size == 1024 && a.Partitions == 1);

    public HttpRow? HttpAt(string path, int size, int concurrency, int partitions = HttpBenchmark.Partitions) =>
        Http.FirstOrDefault(h => h.Path == path && h.Size == size && h.Concurrency == concurrency && (h.Partitions == partitions || h.Partitions == 0));
}
