using System.Diagnostics;
using System.Globalization;

namespace Platform.Benchmarks.Peers;

/// <summary>
/// The real Prometheus (Debian's package) over a given data set: <c>promtool tsdb create-blocks-from openmetrics</c>
/// writes the blocks, then <c>prometheus</c> serves them on a free loopback port with no scrape targets.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    private readonly PeerProcess _process;

    private PrometheusServer(PeerProcess process, Uri url)
    {
        _process = process;
        Url = url;
    }

    /// <summary>Where the HTTP API answers, e.g. http://127.0.0.1:PORT/.</summary>
    public Uri Url { get; }

    public static string? PrometheusBinary => Find("prometheus");

    public static string? PromtoolBinary => Find("promtool");

    /// <summary>Why the reference cannot run here, or null when both binaries are installed.</summary>
    public static string? Missing => PrometheusBinary is null || PromtoolBinary is null
        ? "prometheus and promtool are not installed (apt-get update && apt-get install prometheus; .ci/run does this)"
        : null;

    /// <summary>
    /// Series as OpenMetrics text for promtool: families contiguous, series by series, times ascending, seconds with
    /// millisecond precision, no TYPE lines (every family "unknown").
    /// </summary>
    public static string OpenMetrics(IEnumerable<(Platform.Promql.Series.Labels Labels, IReadOnlyList<Platform.Promql.Series.Point> Points)> series)
    {
        var text = new System.Text.StringBuilder();
        foreach (var family in series.GroupBy(s => s.Labels.Name, StringComparer.Ordinal))
        {
            foreach (var (labels, points) in family)
            {
                var selector = labels.Name + "{" + string.Join(",", labels.Items.ToArray()
                    .Where(l => l.Name != Platform.Promql.Series.Labels.MetricName).Select(l => $"{l.Name}=\"{l.Value}\"")) + "}";
                foreach (var point in points)
                {
                    text.Append(selector).Append(' ').Append(Platform.Promql.Api.PromFloat.Format(point.F)).Append(' ')
                        .Append((point.T / 1000.0).ToString("0.000", CultureInfo.InvariantCulture)).Append('\n');
                }
            }
        }
        return text.Append("# EOF\n").ToString();
    }

    /// <summary>Loads OpenMetrics text into a fresh data directory and starts Prometheus over it.</summary>
    public static async Task<PrometheusServer> StartAsync(string openMetrics, CancellationToken cancellationToken)
    {
        if (Missing is { } why) throw new InvalidOperationException(why);
        var directory = PeerProcess.NewDirectory("prometheus-ref");
        var input = Path.Combine(directory, "input.om");
        await File.WriteAllTextAsync(input, openMetrics, cancellationToken);
        var data = Path.Combine(directory, "data");
        var (code, output) = await RunAsync(PromtoolBinary!, ["tsdb", "create-blocks-from", "openmetrics", input, data], cancellationToken);
        if (code != 0) throw new InvalidOperationException($"promtool tsdb create-blocks-from openmetrics failed ({code}): {output}");
        var config = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(config, "global:\n  scrape_interval: 1h\nscrape_configs: []\n", cancellationToken);

        var port = Hosts.FreePort.Next();
        var url = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
        var process = await PeerProcess.StartAsync(PrometheusBinary!,
        [
            $"--config.file={config}", $"--storage.tsdb.path={data}", $"--web.listen-address=127.0.0.1:{port}",
            "--storage.tsdb.retention.time=100y", "--log.level=warn",
        ], directory, url, cancellationToken);
        return new PrometheusServer(process, url);
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private static readonly string[] Places = ["/usr/bin/", "/usr/local/bin/", "/usr/sbin/"];

    private static string? Find(string name) => Places.Select(dir => dir + name).FirstOrDefault(File.Exists);

    internal static async Task<(int Code, string Output)> RunAsync(string file, IEnumerable<string> args, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, (await stdout) + (await stderr));
    }
}
