using Platform.Benchmarks;

namespace Platform.Tests.Benchmarks;

/// <summary>CI's smoke run of the benchmark harness: every scenario runs and reports; no timing is asserted.</summary>
public sealed class BenchmarkSmokeTests
{
    [Fact]
    public async Task The_harness_runs_every_scenario_and_writes_its_report_and_charts()
    {
        string dir = Path.Combine(Path.GetTempPath(), "bench-smoke-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            string report = await BenchmarkHarness.RunAsync(["--smoke", "--out", dir]);
            string text = await File.ReadAllTextAsync(report);
            foreach (string section in new[] { "## Against the references", "## Core appender", "## Scale (1 KiB records)", "## Peer: NATS JetStream", "## HTTP through the local host", "## End to end" })
            {
                Assert.Contains(section, text, StringComparison.Ordinal);
            }

            Assert.Contains("| records API | 1 KiB | 4 | 16 |", text, StringComparison.Ordinal);
            Assert.Contains("| records API | 100 B | 4 | 16 |", text, StringComparison.Ordinal);
            Assert.Contains("| records API | 1 KiB | 1 | 16 |", text, StringComparison.Ordinal);
            Assert.Contains("| empty Kestrel endpoint | 100 B |  | 16 |", text, StringComparison.Ordinal);
            Assert.Contains("| OTLP/HTTP metrics, 100 points per export |", text, StringComparison.Ordinal);
            Assert.Matches(@"Peak working set of the local host process: [1-9]\d* MiB", text);
            // Scale-out rows name their bound: the machine's busy share, Azurite's main thread, CPU per record by process.
            Assert.Matches(@"\| 2 \| 1 \| keyless \| [^\n]*\| \d+ % \| \d+ % \| [\d,]+ · [\d,]+ · [\d,]+ \|", text);
            foreach (string chart in new[] { "appender.png", "references.png", "scale.png", "http.png" })
            {
                Assert.True(new FileInfo(Path.Combine(dir, chart)).Length > 1000, $"{chart} was not drawn");
            }
        }
        finally
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
