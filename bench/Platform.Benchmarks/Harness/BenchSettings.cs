namespace Platform.Benchmarks;

/// <summary>How big a run is: --smoke (CI: seconds, proves every scenario runs), --quick (under two minutes), or full.</summary>
internal sealed record BenchSettings(string Mode, int Rounds, long AppenderRecords, TimeSpan Duration, int E2eRecords, bool InstallPeer, int[] RecordSizes, int[] Partitions, int[] Concurrency)
{
    public static BenchSettings From(string[] args)
    {
        if (args.Contains("--smoke"))
        {
            return new("smoke", 1, 200, TimeSpan.FromSeconds(0.5), 10, false, [100, 1024], [1, 4], [1, 16]);
        }

        return args.Contains("--quick")
            ? new("quick", 1, 4_000, TimeSpan.FromSeconds(1.5), 60, true, [100, 1024, 10_240], [1, 4, 16], [1, 16, 64])
            : new("full", 3, 20_000, TimeSpan.FromSeconds(4), 300, true, [100, 1024, 10_240], [1, 4, 16], [1, 16, 64]);
    }

    public static string OutputDirectory(string[] args)
    {
        int i = Array.IndexOf(args, "--out");
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : Path.Combine("results", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture));
    }
}
