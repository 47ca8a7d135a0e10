using System.Globalization;
using System.Text;
using Platform.Benchmarks;
using Platform.Local.Azurite;

bool quick = args.Contains("--quick");
long records = quick ? 20_000 : 200_000;
var linger = Environment.GetEnvironmentVariable("BENCH_LINGER_MS") is { } lingerMs
    ? TimeSpan.FromMilliseconds(double.Parse(lingerMs, CultureInfo.InvariantCulture))
    : new Platform.Core.Options.LogOptions().Linger;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

await using AzuriteServer azurite = await AzuriteServer.StartAsync(CancellationToken.None);
var report = new StringBuilder();
report.AppendLine($"# Append throughput, {AppendBenchmark.RecordBytes}-byte records, one partition, Azurite in memory");
report.AppendLine();
report.AppendLine($"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}. Records per run: {records}. Linger: {linger.TotalMilliseconds} ms.");
report.AppendLine();
report.AppendLine("| producers x records per call | records/s | payload MB/s | appends/s | avg batch | raw Azurite at that block size (appends/s, MB/s) | appends/s vs raw | MB/s vs raw |");
report.AppendLine("| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |");

foreach ((int producers, int perCall) in new[] { (1, 1), (64, 1), (256, 1), (16, 100) })
{
    var run = await AppendBenchmark.RunPlatformAsync(azurite.ConnectionString, producers, perCall, producers == 1 && perCall == 1 ? Math.Min(records, 2_000) : records, linger);
    int block = (int)Math.Max(1024, run.AverageBatchBytes);
    var raw = await AppendBenchmark.RunRawAsync(azurite.ConnectionString, block, writers: 1, TimeSpan.FromSeconds(quick ? 2 : 5));
    double appendsPerSecond = run.Appends / run.Seconds;
    report.AppendLine($"| {producers} x {perCall} | {run.RecordsPerSecond:F0} | {run.PayloadMBps:F2} | {appendsPerSecond:F0} | {run.AverageBatchBytes / 1024:F1} KiB | {raw.AppendsPerSecond:F0}/s, {raw.MBps:F2} MB/s | {appendsPerSecond / raw.AppendsPerSecond:P0} | {run.PayloadMBps / raw.MBps:P0} |");
    Console.Error.WriteLine($"done {producers}x{perCall}");
}

var floor = await AppendBenchmark.RunRawAsync(azurite.ConnectionString, 4 * 1024 * 1024, writers: 1, TimeSpan.FromSeconds(quick ? 2 : 5));
report.AppendLine();
report.AppendLine($"Raw Azurite ceiling with 4 MiB blocks: {floor.AppendsPerSecond:F1} appends/s, {floor.MBps:F1} MB/s.");
report.AppendLine();
report.AppendLine("## OTLP/HTTP protobuf logs through the local host (real export requests, ~200-byte records)");
report.AppendLine();
report.AppendLine("| concurrency x records per request | log records/s | requests | failed | p50 ms | p99 ms |");
report.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: |");
foreach ((int concurrency, int perRequest) in new[] { (1, 100), (16, 100), (64, 100), (16, 512) })
{
    var run = await OtlpIngestBenchmark.RunAsync(azurite.ConnectionString, concurrency, perRequest, TimeSpan.FromSeconds(quick ? 3 : 10));
    report.AppendLine($"| {concurrency} x {perRequest} | {run.RecordsPerSecond:F0} | {run.Requests} | {run.Failed} | {run.P50Ms:F1} | {run.P99Ms:F1} |");
    Console.Error.WriteLine($"done otlp {concurrency}x{perRequest}");
}

var e2e = await EndToEndLatencyBenchmark.RunAsync(azurite.ConnectionString, quick ? 100 : 300, TimeSpan.FromMilliseconds(20));
report.AppendLine();
report.AppendLine("## End-to-end latency: HTTP produce call to consumer handler (wake-ups on a storage queue)");
report.AppendLine();
report.AppendLine($"{e2e.Records} records, one every 20 ms: p50 {e2e.P50Ms:F0} ms, p99 {e2e.P99Ms:F0} ms, max {e2e.MaxMs:F0} ms.");

Console.WriteLine(report);
Directory.CreateDirectory("results");
await File.WriteAllTextAsync(Path.Combine("results", "append.md"), report.ToString());
