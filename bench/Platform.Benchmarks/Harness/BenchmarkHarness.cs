using System.Diagnostics;
using System.Globalization;
using System.Text;
using Platform.Benchmarks.Peers;
using Platform.Local;
using Platform.Local.Azurite;

namespace Platform.Benchmarks;

// One command: starts Azurite (and nats-server, installing it with apt-get when missing), runs every scenario,
// writes report.md and PNG charts under results/<time>/ (or --out DIR). --quick: under two minutes; --smoke: CI.
/// <summary>The whole harness; Program and the smoke test call it.</summary>
public static class BenchmarkHarness
{
    /// <summary>Runs every scenario and returns the report's path.</summary>
    public static async Task<string> RunAsync(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        BenchSettings s = BenchSettings.From(args);
        string outDir = BenchSettings.OutputDirectory(args);
        Directory.CreateDirectory(outDir);
        var total = Stopwatch.StartNew();
        void Step(string what) => Console.Error.WriteLine($"[{total.Elapsed:mm\\:ss}] {what}");

        await using AzuriteServer azurite = await AzuriteServer.StartAsync(CancellationToken.None);
        string storage = azurite.ConnectionString;
        int producers = s.Concurrency[^1];

        // 1. The core appender over record sizes and partitions, each beside raw AppendBlock at the block size it wrote.
        var appender = new List<(int Size, int Partitions, Rounds Platform, Rounds Floor, double Batch)>();
        foreach (int size in s.RecordSizes)
        {
            foreach (int partitions in s.Partitions)
            {
                Step($"appender {size} B x {partitions} partitions");
                double batch = 0;
                Rounds platform = await Rounds.RunAsync(s.Rounds, async () =>
                {
                    var (m, avg) = await AppendBenchmark.RunPlatformAsync(storage, size, partitions, producers, s.AppenderRecords);
                    batch = avg;
                    return m;
                });
                Rounds floor = await Rounds.RunAsync(s.Rounds, () => AppendBenchmark.RunRawAsync(storage, (int)Math.Max(1024, batch), partitions, s.Duration));
                appender.Add((size, partitions, platform, floor, batch));
            }
        }

        // 2. Scale: producers, and record count (10x the records should take about 10x the time).
        var byProducers = new List<(int Producers, Rounds Result)>();
        foreach (int p in s.Concurrency)
        {
            Step($"appender 1 KiB x 1 partition, {p} producers");
            // Fewer records for fewer producers: one producer is latency-bound, and a minute of it says no more than ten seconds.
            long records = Math.Max(500, s.AppenderRecords * p / producers);
            byProducers.Add((p, await Rounds.RunAsync(s.Rounds, async () => (await AppendBenchmark.RunPlatformAsync(storage, 1024, 1, p, records)).Result)));
        }

        Step("record count x1 and x10");
        Measurement once = (await AppendBenchmark.RunPlatformAsync(storage, 1024, 4, producers, s.AppenderRecords)).Result;
        Measurement tenTimes = (await AppendBenchmark.RunPlatformAsync(storage, 1024, 4, producers, s.AppenderRecords * 10)).Result;

        // 3. The peer: NATS JetStream, file storage, acknowledged publishes of the same records from as many publishers.
        var (nats, natsWhy) = await NatsServer.TryStartAsync(s.InstallPeer);
        var peer = new List<(int Size, Rounds Result)>();
        if (nats is not null)
        {
            await using (nats)
            {
                foreach (int size in s.RecordSizes)
                {
                    Step($"nats jetstream {size} B");
                    peer.Add((size, await Rounds.RunAsync(s.Rounds, () => NatsPublishBenchmark.RunAsync(nats.Url, size, producers, s.AppenderRecords))));
                }
            }
        }

        // 4. HTTP: the records API and OTLP through the local host, and an empty Kestrel endpoint as the ceiling of HTTP.
        var http = new List<(string Path, int Concurrency, Rounds Result)>();
        long peakBefore = Process.GetCurrentProcess().PeakWorkingSet64;
        await using (LocalPlatform host = await HttpBenchmark.StartHostAsync(storage))
        {
            using var admin = new HttpClient { BaseAddress = host.Endpoints.BoundFunctions };
            admin.DefaultRequestHeaders.Add("x-api-key", HttpBenchmark.Key);
            (await admin.PostAsync("api/topics", new StringContent("{\"name\":\"http\",\"partitions\":4}", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
            var (kestrel, sink) = await HttpBenchmark.StartEmptyKestrelAsync();
            await using (kestrel)
            {
                byte[] record = new byte[1024];
                Random.Shared.NextBytes(record);
                byte[] logs = OtlpRequests.Logs(100);
                byte[] metrics = OtlpRequests.Metrics(100);
                foreach (int c in s.Concurrency)
                {
                    Step($"http concurrency {c}");
                    http.Add(("records API, 1 KiB record per request", c, await Rounds.RunAsync(s.Rounds, () => HttpBenchmark.PostLoopAsync(new Uri(host.Endpoints.BoundFunctions!, "api/topics/http/records"), "application/octet-stream", record, 1, c, s.Duration))));
                    http.Add(("empty Kestrel endpoint, same body", c, await Rounds.RunAsync(s.Rounds, () => HttpBenchmark.PostLoopAsync(sink, "application/octet-stream", record, 1, c, s.Duration))));
                    http.Add(("OTLP/HTTP logs, 100 records per export", c, await Rounds.RunAsync(s.Rounds, () => HttpBenchmark.PostLoopAsync(new Uri(host.Endpoints.BoundOtlpHttp!, "v1/logs"), "application/x-protobuf", logs, 100, c, s.Duration))));
                    http.Add(("OTLP/HTTP metrics, 100 points per export", c, await Rounds.RunAsync(s.Rounds, () => HttpBenchmark.PostLoopAsync(new Uri(host.Endpoints.BoundOtlpHttp!, "v1/metrics"), "application/x-protobuf", metrics, 100, c, s.Duration))));
                }
            }
        }

        long peak = Math.Max(peakBefore, Process.GetCurrentProcess().PeakWorkingSet64);

        // 5. End to end: produce call to consumer handler, with wake-ups.
        Step("end-to-end latency");
        Measurement e2e = await EndToEndLatencyBenchmark.RunAsync(storage, s.E2eRecords, TimeSpan.FromMilliseconds(20));

        // Report.
        Rounds Http(string prefix, int c) => http.First(h => h.Path.StartsWith(prefix, StringComparison.Ordinal) && h.Concurrency == c).Result;
        var main = appender.First(a => a.Size == 1024 && a.Partitions == 1);
        var r = new StringBuilder();
        r.AppendLine($"# Benchmark report ({s.Mode})");
        r.AppendLine();
        r.AppendLine($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC. Machine: {Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}. "
            + $"Azurite in memory and every server on this machine, on loopback. Rounds per figure: {s.Rounds}; figures are median (min–max). Took {total.Elapsed:mm\\:ss}.");
        r.AppendLine();
        r.AppendLine("## Against the references (same run)");
        r.AppendLine();
        r.AppendLine("| measure | platform | reference | ratio |");
        r.AppendLine("| --- | ---: | ---: | ---: |");
        r.AppendLine($"| core appender, 1 KiB, 1 partition, {producers} producers vs raw Azurite AppendBlock at its batch size ({main.Batch / 1024:F0} KiB), MB/s | {main.Platform.MBps.Format("F1")} | {main.Floor.MBps.Format("F1")} | {main.Platform.MBps.Median / main.Floor.MBps.Median:P0} |");
        if (peer.Count > 0)
        {
            Rounds natsKib = peer.First(p => p.Size == 1024).Result;
            r.AppendLine($"| core appender vs NATS JetStream (file storage, acknowledged), 1 KiB, {producers} producers, records/s | {main.Platform.RecordsPerSecond.Format()} | {natsKib.RecordsPerSecond.Format()} | {main.Platform.RecordsPerSecond.Median / natsKib.RecordsPerSecond.Median:P0} |");
        }
        else
        {
            r.AppendLine($"| core appender vs NATS JetStream | {main.Platform.RecordsPerSecond.Format()} | not measured: {natsWhy} | |");
        }

        r.AppendLine($"| HTTP records API vs empty Kestrel endpoint, 1 KiB, concurrency {producers}, requests/s | {Http("records", producers).RecordsPerSecond.Format()} | {Http("empty", producers).RecordsPerSecond.Format()} | {Http("records", producers).RecordsPerSecond.Median / Http("empty", producers).RecordsPerSecond.Median:P0} |");
        var p1 = appender.First(a => a.Size == 1024 && a.Partitions == s.Partitions[0]);
        var pMax = appender.First(a => a.Size == 1024 && a.Partitions == s.Partitions[^1]);
        r.AppendLine($"| scale: {s.Partitions[^1]} partitions vs {s.Partitions[0]}, 1 KiB, records/s | {pMax.Platform.RecordsPerSecond.Format()} | {p1.Platform.RecordsPerSecond.Format()} | {pMax.Platform.RecordsPerSecond.Median / p1.Platform.RecordsPerSecond.Median:F2}x |");
        r.AppendLine($"| scale: time for 10x the records vs 10 x time for 1x (1 ideal) | {tenTimes.Elapsed.TotalSeconds:F2} s | {10 * once.Elapsed.TotalSeconds:F2} s | {tenTimes.Elapsed.TotalSeconds / (10 * once.Elapsed.TotalSeconds):F2} |");
        r.AppendLine();
        r.AppendLine("## Core appender (in process), 1 record per produce call");
        r.AppendLine();
        r.AppendLine("| record | partitions | records/s | MB/s | ack p50 ms | p99 ms | p999 ms | avg batch | raw AppendBlock at that size, MB/s | vs raw |");
        r.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var a in appender)
        {
            r.AppendLine($"| {a.Size} B | {a.Partitions} | {a.Platform.RecordsPerSecond.Format()} | {a.Platform.MBps.Format("F1")} | {a.Platform.P50.Median:F1} | {a.Platform.P99.Median:F1} | {a.Platform.P999.Median:F1} | {a.Batch / 1024:F1} KiB | {a.Floor.MBps.Format("F1")} | {a.Platform.MBps.Median / a.Floor.MBps.Median:P0} |");
        }

        r.AppendLine();
        r.AppendLine("## Scale with producers (1 KiB, 1 partition)");
        r.AppendLine();
        r.AppendLine("| producers | records/s | ack p50 ms | p99 ms |");
        r.AppendLine("| ---: | ---: | ---: | ---: |");
        foreach (var (p, res) in byProducers)
        {
            r.AppendLine($"| {p} | {res.RecordsPerSecond.Format()} | {res.P50.Median:F1} | {res.P99.Median:F1} |");
        }

        r.AppendLine();
        r.AppendLine($"Record count: {once.Records} records in {once.Elapsed.TotalSeconds:F2} s, {tenTimes.Records} in {tenTimes.Elapsed.TotalSeconds:F2} s (1 KiB, 4 partitions, {producers} producers).");
        r.AppendLine();
        r.AppendLine("## Peer: NATS JetStream");
        r.AppendLine();
        if (peer.Count == 0)
        {
            r.AppendLine($"Not measured: {natsWhy}.");
        }
        else
        {
            r.AppendLine($"nats-server (Debian package) with -js and file storage; acknowledged publishes through NATS.Net, {producers} publishers, {s.AppenderRecords} records per round.");
            r.AppendLine();
            r.AppendLine("| record | records/s | MB/s | ack p50 ms | p99 ms | p999 ms | platform (1 partition) vs NATS |");
            r.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var (size, res) in peer)
            {
                Rounds ours = appender.First(a => a.Size == size && a.Partitions == 1).Platform;
                r.AppendLine($"| {size} B | {res.RecordsPerSecond.Format()} | {res.MBps.Format("F1")} | {res.P50.Median:F1} | {res.P99.Median:F1} | {res.P999.Median:F1} | {ours.RecordsPerSecond.Median / res.RecordsPerSecond.Median:P0} |");
            }
        }

        r.AppendLine();
        r.AppendLine("## HTTP through the local host");
        r.AppendLine();
        r.AppendLine("| path | concurrency | records/s | p50 ms | p99 ms | p999 ms |");
        r.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (path, c, res) in http)
        {
            r.AppendLine($"| {path} | {c} | {res.RecordsPerSecond.Format()} | {res.P50.Median:F1} | {res.P99.Median:F1} | {res.P999.Median:F1} |");
        }

        r.AppendLine();
        r.AppendLine($"Peak working set of the process that hosts the platform (and the load generator): {peak / (1 << 20)} MiB.");
        r.AppendLine();
        r.AppendLine("## End to end");
        r.AppendLine();
        r.AppendLine($"HTTP produce call to consumer handler, wake-ups on the Azurite queue, {e2e.Records} records one every 20 ms: p50 {e2e.P50Ms:F0} ms, p99 {e2e.P99Ms:F0} ms.");
        r.AppendLine();
        r.AppendLine("Charts: ![appender](appender.png) ![references](references.png) ![http](http.png)");

        Charts.Bars(Path.Combine(outDir, "appender.png"), "Core appender records/s by record size and partitions", "records/s",
            [.. appender.Select(a => ($"{a.Size}B/{a.Partitions}p", a.Platform.RecordsPerSecond.Median))]);
        var refs = new List<(string, double)> { ("platform", main.Platform.MBps.Median), ("raw AppendBlock", main.Floor.MBps.Median) };
        if (peer.Count > 0)
        {
            refs.Add(("NATS JetStream", peer.First(p => p.Size == 1024).Result.MBps.Median));
        }

        Charts.Bars(Path.Combine(outDir, "references.png"), "MB/s: platform, storage floor, peer", "MB/s", refs);
        Charts.Lines(Path.Combine(outDir, "http.png"), "HTTP: records/s by concurrency (OTLP: items in the exports)", "concurrency", "records/s",
            [.. http.GroupBy(h => h.Path).Select(g => (g.Key, g.Select(h => (double)h.Concurrency).ToArray(), g.Select(h => h.Result.RecordsPerSecond.Median).ToArray()))]);

        string report = r.ToString();
        await File.WriteAllTextAsync(Path.Combine(outDir, "report.md"), report);
        Console.WriteLine(report);
        Console.Error.WriteLine($"report and charts in {Path.GetFullPath(outDir)}");
        return Path.Combine(outDir, "report.md");
    }
}
