using System.Diagnostics;
using System.Globalization;
using Platform.Benchmarks.Peers;
using Platform.Benchmarks.Hosts;

namespace Platform.Benchmarks;

// One command: starts Azurite (and nats-server, installing it with apt-get when missing), runs every scenario,
// writes report.md and PNG charts under results/<time>/ (or --out DIR). --quick: under two minutes; --smoke: CI.
/// <summary>The whole harness; Program and the smoke test call it.</summary>
public static class BenchmarkHarness
{
    /// <summary>Producers per partition in the partition scale series, so the load grows with the partitions.</summary>
    private const int ProducersPerPartition = 16;

    /// <summary>Runs every scenario and returns the report's path.</summary>
    public static async Task<string> RunAsync(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        BenchSettings s = BenchSettings.From(args);
        string outDir = BenchSettings.OutputDirectory(args);
        Directory.CreateDirectory(outDir);
        var total = Stopwatch.StartNew();
        void Step(string what) => Console.Error.WriteLine($"[{total.Elapsed:mm\\:ss}] {what}");

        await using FreshAzurite azurite = await FreshAzurite.StartAsync();
        string storage = azurite.ConnectionString;
        int producers = s.Concurrency[^1];
        // One section alone, for iterating on one part of the platform.
        var sections = new Dictionary<string, Func<Task<string>>>
        {
            ["--metrics-only"] = async () => MetricsBenchmark.Report(await MetricsBenchmark.RunAsync(storage, s.Mode, Step)),
            ["--notifications-only"] = async () => NotificationBenchmark.Report(await NotificationBenchmark.RunAsync(storage, s.Mode, outDir, Step)),
            ["--streams-only"] = async () => StreamBenchmark.Report(await StreamBenchmark.RunAsync(storage, s.Mode, Step)),
            ["--cli-only"] = async () => CliProduceBenchmark.Report(await CliProduceBenchmark.RunAsync(s, storage, outDir, Step)),
            ["--read-path-only"] = async () => ReadPathBenchmark.Report(await ReadPathBenchmark.RunAsync(storage, s.Mode, Step)),
            ["--scale-out-only"] = async () => ScaleOutBenchmark.Report(await ScaleOutBenchmark.RunAllAsync(s, storage, azurite.ProcessId, outDir, Step)),
            ["--shared-partitions-only"] = async () => ScaleOutBenchmark.Report(await ScaleOutBenchmark.RunAllAsync(s, storage, azurite.ProcessId, outDir, Step, sharedOnly: true)),
            ["--write-path-only"] = () => WritePathBenchmark.RunAsync(s, async () =>
            {
                await azurite.RenewAsync();
                return azurite.ConnectionString;
            }, outDir, Step),
        };
        if (sections.FirstOrDefault(section => args.Contains(section.Key)).Value is { } only)
        {
            string sectionReport = await only();
            await File.WriteAllTextAsync(Path.Combine(outDir, "report.md"), sectionReport);
            Console.WriteLine(sectionReport);
            return Path.Combine(outDir, "report.md");
        }

        // 1. The core appender over record sizes and partitions, each beside raw AppendBlock at the block size it wrote.
        var appender = new List<AppenderRow>();
        foreach (int size in s.RecordSizes)
        {
            foreach (int partitions in s.Partitions)
            {
                Step($"appender {size} B x {partitions} partitions");
                double batch = 0;
                Rounds platform = await Rounds.RunAsync(s.Rounds, async () =>
                {
                    var (m, avg, _) = await AppendBenchmark.RunPlatformAsync(storage, size, partitions, producers, s.AppenderRecords);
                    batch = avg;
                    return m;
                });
                Rounds floor = await Rounds.RunAsync(s.Rounds, () => AppendBenchmark.RunRawAsync(storage, (int)Math.Max(1024, batch), partitions, s.Duration));
                appender.Add(new(size, partitions, platform, floor, batch));
            }
        }

        // 2. Scale: producers on one partition; partitions with the load growing alongside; record count (10x should take about 10x).
        async Task<ScaleRow> Scale(int partitions, int p)
        {
            Step($"appender 1 KiB x {partitions} partitions, {p} producers");
            // Record count follows the producers: one producer is latency-bound, and a minute of it says no more than ten seconds.
            long records = Math.Max(Math.Min(500, s.AppenderRecords), s.AppenderRecords * p / producers);
            return new(partitions, p, await Rounds.RunAsync(s.Rounds, async () => (await AppendBenchmark.RunPlatformAsync(storage, 1024, partitions, p, records)).Result));
        }

        await azurite.RenewAsync();
        storage = azurite.ConnectionString;
        var byProducers = new List<ScaleRow>();
        foreach (int p in s.Concurrency)
        {
            byProducers.Add(await Scale(1, p));
        }

        var byPartitions = new List<ScaleRow>();
        foreach (int partitions in s.Partitions)
        {
            byPartitions.Add(await Scale(partitions, ProducersPerPartition * partitions));
        }

        Step("record count x1 and x10, and the floor's own x1 and x10");
        await azurite.RenewAsync();
        storage = azurite.ConnectionString;
        var counts = new List<CountRound>();
        for (int round = 0; round < s.Rounds; round++)
        {
            var (once, onceBatch, onceAppends) = await AppendBenchmark.RunPlatformAsync(storage, 1024, 4, producers, s.AppenderRecords);
            Measurement tenTimes = (await AppendBenchmark.RunPlatformAsync(storage, 1024, 4, producers, s.AppenderRecords * 10)).Result;
            Measurement rawOnce = await AppendBenchmark.RunRawCountAsync(storage, (int)Math.Max(1024, onceBatch), 4, onceAppends);
            Measurement rawTenTimes = await AppendBenchmark.RunRawCountAsync(storage, (int)Math.Max(1024, onceBatch), 4, onceAppends * 10);
            counts.Add(new(once, tenTimes, rawOnce, rawTenTimes));
        }

        // 3. The peer: NATS JetStream, file storage, acknowledged publishes of the same records from as many publishers.
        var (nats, natsWhy) = await NatsServer.TryStartAsync(s.InstallPeer);
        var peer = new List<PeerRow>();
        if (nats is not null)
        {
            await using (nats)
            {
                foreach (int size in s.RecordSizes)
                {
                    Step($"nats jetstream {size} B");
                    peer.Add(new(size, await Rounds.RunAsync(s.Rounds, () => NatsPublishBenchmark.RunAsync(nats.Url, size, producers, s.AppenderRecords))));
                }
            }
        }

        // 4. HTTP: the records API and OTLP through the local host in its own process, beside an empty Kestrel endpoint.
        await azurite.RenewAsync();
        storage = azurite.ConnectionString;
        var (http, hostPeak) = await HttpBenchmark.RunAllAsync(s, storage, outDir, Step);

        // 5. Scale-out: several instances (processes) over one storage account.
        await azurite.RenewAsync();
        storage = azurite.ConnectionString;
        List<ScaleOutRow> scaleOut = await ScaleOutBenchmark.RunAllAsync(s, storage, azurite.ProcessId, outDir, Step);

        // 6. End to end: produce call to consumer handler, with wake-ups.
        Step("end-to-end latency");
        await azurite.RenewAsync();
        storage = azurite.ConnectionString;
        Measurement e2e = await EndToEndLatencyBenchmark.RunAsync(storage, s.E2eRecords, TimeSpan.FromMilliseconds(20));

        // 7. Metrics: the aggregation job's points/s and PromQL query latency beside the real Prometheus.
        await azurite.RenewAsync();
        storage = azurite.ConnectionString;
        MetricsResult metrics = await MetricsBenchmark.RunAsync(storage, s.Mode, Step);

        // 8. Notifications: e-mails/s from a backlog beside MailKit's raw rate, and produce-to-SMTP latency.
        await azurite.RenewAsync();
        storage = azurite.ConnectionString;
        NotificationResult notifications = await NotificationBenchmark.RunAsync(storage, s.Mode, outDir, Step);
        CliProduceResult cli = await CliProduceBenchmark.RunAsync(s, storage, outDir, Step);
        StreamResult streams = await StreamBenchmark.RunAsync(storage, s.Mode, Step);

        var results = new BenchResults(s, appender, byProducers, byPartitions, new CountScale(counts), peer, natsWhy, http, hostPeak,
            Process.GetCurrentProcess().PeakWorkingSet64, e2e, total.Elapsed);
        string report = ReportWriter.Write(results) + Environment.NewLine + ScaleOutBenchmark.Report(scaleOut) + Environment.NewLine + MetricsBenchmark.Report(metrics)
            + Environment.NewLine + NotificationBenchmark.Report(notifications) + Environment.NewLine + CliProduceBenchmark.Report(cli) + Environment.NewLine + StreamBenchmark.Report(streams);
        await File.WriteAllTextAsync(Path.Combine(outDir, "report.md"), report);
        ReportCharts.Draw(results, outDir);
        Console.WriteLine(report);
        Console.Error.WriteLine($"report and charts in {Path.GetFullPath(outDir)}");
        return Path.Combine(outDir, "report.md");
    }
}
