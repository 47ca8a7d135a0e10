namespace Platform.Benchmarks;

/// <summary>The PNG charts beside a report.</summary>
internal static class ReportCharts
{
    public static void Draw(BenchResults x, string outDir)
    {
        Charts.Bars(Path.Combine(outDir, "appender.png"), "Core appender records/s by record size and partitions", "records/s",
            [.. x.Appender.Select(a => ($"{a.Size}B/{a.Partitions}p", a.Platform.RecordsPerSecond.Median))]);

        var refs = new List<(string, double)> { ("platform", x.Main.Platform.MBps.Median), ("raw AppendBlock", x.Main.Floor.MBps.Median) };
        PeerRow? nats = x.Peer.FirstOrDefault(p => p.Size == 1024);
        if (nats is not null)
        {
            refs.Add(("NATS JetStream", nats.Result.MBps.Median));
        }

        Charts.Bars(Path.Combine(outDir, "references.png"), "MB/s at 1 KiB records: platform, storage floor, peer", "MB/s", refs);

        Charts.Lines(Path.Combine(outDir, "scale.png"), "Core appender records/s: scale (1 KiB)", "producers", "records/s",
        [
            ("1 partition, more producers", [.. x.ByProducers.Select(r => (double)r.Producers)], [.. x.ByProducers.Select(r => r.Result.RecordsPerSecond.Median)]),
            ("more partitions, 16 producers each", [.. x.ByPartitions.Select(r => (double)r.Producers)], [.. x.ByPartitions.Select(r => r.Result.RecordsPerSecond.Median)]),
        ]);

        var sweep = x.Http.Where(h => h.Size == 1024 || h.Path.StartsWith("OTLP", StringComparison.Ordinal)).Where(h => h.Partitions is 0 or HttpBenchmark.Partitions);
        Charts.Lines(Path.Combine(outDir, "http.png"), "HTTP requests/s by concurrency (records: 1 KiB bodies; OTLP: 100 items per export)", "concurrency", "requests/s",
            [.. sweep.GroupBy(h => h.Path).Select(g => (g.Key, g.Select(h => (double)h.Concurrency).ToArray(), g.Select(h => h.Result.RecordsPerSecond.Median / PerRequest(h)).ToArray()))]);
    }

    private static double PerRequest(HttpRow h) => h.Path is BenchResults.OtlpLogs or BenchResults.OtlpMetrics ? 100 : 1;
}
