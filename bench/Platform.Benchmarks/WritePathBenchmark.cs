using System.Globalization;
using System.Text;

namespace Platform.Benchmarks;

/// <summary>
/// The write path alone, for before/after figures of a change to it: the core appender at 1, 16 and 64 producers on
/// one partition (latency alone, then group commit), 1 KiB records over 4 partitions, the HTTP records API and OTLP at
/// the harness's concurrencies, and produce-to-handler latency.
/// </summary>
internal static class WritePathBenchmark
{
    public static async Task<string> RunAsync(BenchSettings s, Func<Task<string>> freshStorage, string outDir, Action<string> step)
    {
        var md = new StringBuilder();
        md.AppendLine("## Write path");
        md.AppendLine();
        md.AppendLine("| what | records/s | MB/s | p50 ms | p99 ms | p999 ms |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        void Row(string what, Rounds r) =>
            md.AppendLine(CultureInfo.InvariantCulture, $"| {what} | {r.RecordsPerSecond.Format()} | {r.MBps.Format("F1")} | {r.P50.Format("F1")} | {r.P99.Format("F1")} | {r.P999.Format("F1")} |");

        string storage = await freshStorage();
        foreach ((int partitions, int producers) in new[] { (1, 1), (1, 16), (1, 64), (4, 64) })
        {
            step($"write path: appender 1 KiB x {partitions} partition(s), {producers} producer(s)");
            long records = Math.Max(500, s.AppenderRecords * producers / 64);
            Row($"core appender, 1 KiB, {partitions} partition(s), {producers} producer(s)", await Rounds.RunAsync(s.Rounds, async () =>
                (await AppendBenchmark.RunPlatformAsync(storage, 1024, partitions, producers, records)).Result));
        }

        step("write path: HTTP records API");
        var (http, _) = await HttpBenchmark.RunAllAsync(s, await freshStorage(), outDir, step);
        foreach (HttpRow h in http.Where(h => h.Path != BenchResults.EmptyKestrel))
        {
            Row($"HTTP {h.Path}, {h.Size:N0} B per request{(h.Partitions > 0 ? $", {h.Partitions} partition(s)" : string.Empty)}, concurrency {h.Concurrency}", h.Result);
        }

        step("write path: end-to-end latency");
        Measurement e2e = await EndToEndLatencyBenchmark.RunAsync(await freshStorage(), s.E2eRecords, TimeSpan.FromMilliseconds(20));
        Row("end to end: HTTP produce to consumer handler, one record every 20 ms", new Rounds([e2e]));
        return md.ToString();
    }
}
