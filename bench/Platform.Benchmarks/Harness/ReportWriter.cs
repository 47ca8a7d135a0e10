using System.Globalization;
using System.Text;

namespace Platform.Benchmarks;

/// <summary>The Markdown report of a run: the ratios against the references first, then every table.</summary>
internal static class ReportWriter
{
    public static string Write(BenchResults x)
    {
        BenchSettings s = x.Settings;
        var r = new StringBuilder();
        r.AppendLine(CultureInfo.InvariantCulture, $"# Benchmark report ({s.Mode})");
        r.AppendLine();
        r.AppendLine(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC. Machine: {Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, "
            + $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}. Azurite in memory and every server on this machine, on loopback. "
            + $"Rounds per figure: {s.Rounds}; figures are median (min–max). Took {x.Took:mm\\:ss}.");
        r.AppendLine();
        References(r, x);
        Appender(r, x);
        Scale(r, x);
        Peer(r, x);
        Http(r, x);
        r.AppendLine("## End to end");
        r.AppendLine();
        r.AppendLine(CultureInfo.InvariantCulture, $"HTTP produce call to consumer handler, wake-ups on the Azurite queue, {x.EndToEnd.Records} records one every 20 ms: p50 {x.EndToEnd.P50Ms:F0} ms, p99 {x.EndToEnd.P99Ms:F0} ms, p999 {x.EndToEnd.P999Ms:F0} ms.");
        r.AppendLine();
        r.AppendLine("Charts: ![references](references.png) ![appender](appender.png) ![scale](scale.png) ![http](http.png)");
        return r.ToString();
    }

    private static void References(StringBuilder r, BenchResults x)
    {
        AppenderRow main = x.Main;
        r.AppendLine("## Against the references (same run)");
        r.AppendLine();
        r.AppendLine("| measure | platform | reference | ratio |");
        r.AppendLine("| --- | ---: | ---: | ---: |");
        r.AppendLine(CultureInfo.InvariantCulture, $"| core appender, 1 KiB, 1 partition, {x.Producers} producers vs raw Azurite AppendBlock at its batch size ({main.AverageBatchBytes / 1024:F0} KiB), MB/s | {main.Platform.MBps.Format("F1")} | {main.Floor.MBps.Format("F1")} | {Ratio(main.Platform.MBps, main.Floor.MBps)} |");
        PeerRow? nats = x.Peer.FirstOrDefault(p => p.Size == 1024);
        if (nats is not null)
        {
            r.AppendLine(CultureInfo.InvariantCulture, $"| core appender vs NATS JetStream (file storage, acknowledged), 1 KiB, {x.Producers} producers, records/s | {main.Platform.RecordsPerSecond.Format()} | {nats.Result.RecordsPerSecond.Format()} | {Ratio(main.Platform.RecordsPerSecond, nats.Result.RecordsPerSecond)} |");
        }
        else
        {
            r.AppendLine(CultureInfo.InvariantCulture, $"| core appender vs NATS JetStream | {main.Platform.RecordsPerSecond.Format()} | not measured: {x.PeerMissing} | |");
        }

        foreach (int size in x.Settings.RecordSizes)
        {
            HttpRow? api = x.HttpAt(BenchResults.RecordsApi, size, x.Producers);
            HttpRow? empty = x.HttpAt(BenchResults.EmptyKestrel, size, x.Producers);
            if (api is not null && empty is not null)
            {
                r.AppendLine(CultureInfo.InvariantCulture, $"| HTTP records API vs empty Kestrel endpoint, {Size(size)} per request, concurrency {x.Producers}, requests/s | {api.Result.RecordsPerSecond.Format()} | {empty.Result.RecordsPerSecond.Format()} | {Ratio(api.Result.RecordsPerSecond, empty.Result.RecordsPerSecond)} |");
            }
        }

        AppenderRow p1 = x.Appender.First(a => a.Size == 1024 && a.Partitions == x.Settings.Partitions[0]);
        AppenderRow pMax = x.Appender.First(a => a.Size == 1024 && a.Partitions == x.Settings.Partitions[^1]);
        r.AppendLine(CultureInfo.InvariantCulture, $"| scale: {pMax.Partitions} partitions vs {p1.Partitions}, same {x.Producers} producers, 1 KiB, records/s | {pMax.Platform.RecordsPerSecond.Format()} | {p1.Platform.RecordsPerSecond.Format()} | {Times(pMax.Platform.RecordsPerSecond, p1.Platform.RecordsPerSecond)} |");
        ScaleRow g1 = x.ByPartitions[0];
        ScaleRow gMax = x.ByPartitions[^1];
        r.AppendLine(CultureInfo.InvariantCulture, $"| scale: {gMax.Partitions} partitions x {gMax.Producers / gMax.Partitions} producers vs {g1.Partitions} x {g1.Producers / g1.Partitions}, 1 KiB, records/s | {gMax.Result.RecordsPerSecond.Format()} | {g1.Result.RecordsPerSecond.Format()} | {Times(gMax.Result.RecordsPerSecond, g1.Result.RecordsPerSecond)} |");
        ScaleRow q1 = x.ByProducers[0];
        ScaleRow qMax = x.ByProducers[^1];
        r.AppendLine(CultureInfo.InvariantCulture, $"| scale: {qMax.Producers} producers vs {q1.Producers}, 1 partition, 1 KiB, records/s | {qMax.Result.RecordsPerSecond.Format()} | {q1.Result.RecordsPerSecond.Format()} | {Times(qMax.Result.RecordsPerSecond, q1.Result.RecordsPerSecond)} |");
        CountScale n = x.Count;
        r.AppendLine(CultureInfo.InvariantCulture, $"| scale: time for 10x the records / (10 x time for 1x), 1 linear; reference: the same for 10x raw appends | {n.PlatformGrowth.Format("F2")} | {n.FloorGrowth.Format("F2")} | {n.PlatformGrowth.Median / n.FloorGrowth.Median:F2} |");
        r.AppendLine();
    }

    private static void Appender(StringBuilder r, BenchResults x)
    {
        r.AppendLine(CultureInfo.InvariantCulture, $"## Core appender (in process), {x.Producers} producers, 1 record per produce call");
        r.AppendLine();
        r.AppendLine("| record | partitions | records/s | MB/s | ack p50 ms | p99 ms | p999 ms | avg batch | raw AppendBlock at that size, MB/s | vs raw |");
        r.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (AppenderRow a in x.Appender)
        {
            r.AppendLine(CultureInfo.InvariantCulture, $"| {Size(a.Size)} | {a.Partitions} | {a.Platform.RecordsPerSecond.Format()} | {a.Platform.MBps.Format("F1")} | {a.Platform.P50.Median:F1} | {a.Platform.P99.Median:F1} | {a.Platform.P999.Median:F1} | {a.AverageBatchBytes / 1024:F1} KiB | {a.Floor.MBps.Format("F1")} | {Ratio(a.Platform.MBps, a.Floor.MBps)} |");
        }

        r.AppendLine();
    }

    private static void Scale(StringBuilder r, BenchResults x)
    {
        r.AppendLine("## Scale (1 KiB records)");
        r.AppendLine();
        r.AppendLine("| partitions | producers | records/s | ack p50 ms | p99 ms | p999 ms |");
        r.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (ScaleRow row in x.ByProducers.Concat(x.ByPartitions))
        {
            r.AppendLine(CultureInfo.InvariantCulture, $"| {row.Partitions} | {row.Producers} | {row.Result.RecordsPerSecond.Format()} | {row.Result.P50.Median:F1} | {row.Result.P99.Median:F1} | {row.Result.P999.Median:F1} |");
        }

        r.AppendLine();
        CountScale n = x.Count;
        CountRound first = n.Rounds[0];
        r.AppendLine(CultureInfo.InvariantCulture, $"Record count (1 KiB, 4 partitions, {x.Producers} producers): {first.Once.Records} records in {n.Seconds(c => c.Once).Format("F2")} s, {first.TenTimes.Records} in {n.Seconds(c => c.TenTimes).Format("F2")} s ({n.PlatformGrowth.Format("F2")} of linear). "
            + $"The floor, 4 writers at the 1x run's batch size: about {first.RawOnce.Records} appends in {n.Seconds(c => c.RawOnce).Format("F2")} s, 10x in {n.Seconds(c => c.RawTenTimes).Format("F2")} s ({n.FloorGrowth.Format("F2")} of linear).");
        r.AppendLine();
    }

    private static void Peer(StringBuilder r, BenchResults x)
    {
        r.AppendLine("## Peer: NATS JetStream");
        r.AppendLine();
        if (x.Peer.Count == 0)
        {
            r.AppendLine(CultureInfo.InvariantCulture, $"Not measured: {x.PeerMissing}.");
            r.AppendLine();
            return;
        }

        r.AppendLine(CultureInfo.InvariantCulture, $"nats-server (Debian package) with -js and file storage; acknowledged publishes through NATS.Net, {x.Producers} publishers, {x.Settings.AppenderRecords} records per round.");
        r.AppendLine();
        r.AppendLine("| record | records/s | MB/s | ack p50 ms | p99 ms | p999 ms | platform (1 partition) vs NATS |");
        r.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (PeerRow p in x.Peer)
        {
            Rounds ours = x.Appender.First(a => a.Size == p.Size && a.Partitions == 1).Platform;
            r.AppendLine(CultureInfo.InvariantCulture, $"| {Size(p.Size)} | {p.Result.RecordsPerSecond.Format()} | {p.Result.MBps.Format("F1")} | {p.Result.P50.Median:F1} | {p.Result.P99.Median:F1} | {p.Result.P999.Median:F1} | {Ratio(ours.RecordsPerSecond, p.Result.RecordsPerSecond)} |");
        }

        r.AppendLine();
    }

    private static void Http(StringBuilder r, BenchResults x)
    {
        r.AppendLine("## HTTP through the local host");
        r.AppendLine();
        r.AppendLine("The local host runs in a process of its own; the load generator (this harness) posts one body per request. Records/s counts the records in acknowledged requests (OTLP: log records or data points).");
        r.AppendLine();
        r.AppendLine("| path | body | partitions | concurrency | records/s | MB/s | p50 ms | p99 ms | p999 ms | failed | vs empty Kestrel |");
        r.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (HttpRow h in x.Http)
        {
            HttpRow? empty = h.Path == BenchResults.RecordsApi ? x.HttpAt(BenchResults.EmptyKestrel, h.Size, h.Concurrency) : null;
            string ratio = empty is null ? "" : Ratio(h.Result.RecordsPerSecond, empty.Result.RecordsPerSecond);
            string partitions = h.Partitions == 0 ? "" : h.Partitions.ToString(CultureInfo.InvariantCulture);
            r.AppendLine(CultureInfo.InvariantCulture, $"| {h.Path} | {Size(h.Size)} | {partitions} | {h.Concurrency} | {h.Result.RecordsPerSecond.Format()} | {h.Result.MBps.Format("F1")} | {h.Result.P50.Median:F1} | {h.Result.P99.Median:F1} | {h.Result.P999.Median:F1} | {h.Result.Failed} | {ratio} |");
        }

        r.AppendLine();
        r.AppendLine(CultureInfo.InvariantCulture, $"Peak working set of the local host process: {x.HostPeakBytes / (1 << 20)} MiB. Of the harness process (load generator, in-process appender runs, end-to-end host): {x.HarnessPeakBytes / (1 << 20)} MiB.");
        r.AppendLine();
    }

    private static string Ratio(Summary ours, Summary reference) => (ours.Median / reference.Median).ToString("P0", CultureInfo.InvariantCulture);

    private static string Times(Summary ours, Summary reference) => (ours.Median / reference.Median).ToString("F2", CultureInfo.InvariantCulture) + "x";

    private static string Size(int bytes) => bytes >= 1024 && bytes % 1024 == 0 ? $"{bytes / 1024} KiB" : $"{bytes} B";
}
