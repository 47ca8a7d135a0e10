using System.Globalization;

namespace Platform.Benchmarks.Peers;

/// <summary>The real Alertmanager (Debian's prometheus-alertmanager) on a free loopback port, routing every alert to a webhook.</summary>
internal sealed class AlertmanagerServer : IAsyncDisposable
{
    private readonly PeerProcess _process;

    private AlertmanagerServer(PeerProcess process, Uri url)
    {
        _process = process;
        Url = url;
    }

    public Uri Url { get; }

    private static readonly string[] Places = ["/usr/bin/prometheus-alertmanager", "/usr/local/bin/alertmanager", "/usr/bin/alertmanager"];

    public static string? Binary => Places.FirstOrDefault(File.Exists);

    /// <summary>Why it cannot run here, or null.</summary>
    public static string? Missing => Binary is null ? "prometheus-alertmanager is not installed (apt-get update && apt-get install prometheus-alertmanager; .ci/run does this)" : null;

    /// <summary>Starts it grouping by alertname and job, with 1 s waits, sending every notification (resolved too) to <paramref name="webhook"/>.</summary>
    public static async Task<AlertmanagerServer> StartAsync(Uri webhook, CancellationToken cancellationToken)
    {
        var directory = PeerProcess.NewDirectory("alertmanager");
        var config = Path.Combine(directory, "alertmanager.yml");
        await File.WriteAllTextAsync(config, $"""
            route:
              receiver: hook
              group_by: [alertname, job]
              group_wait: 1s
              group_interval: 1s
              repeat_interval: 1h
            receivers:
              - name: hook
                webhook_configs:
                  - url: {webhook}
                    send_resolved: true
            """, cancellationToken);
        var port = Hosts.FreePort.Next();
        var url = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
        var process = await PeerProcess.StartAsync(Binary ?? throw new InvalidOperationException(Missing),
            [$"--config.file={config}", $"--storage.path={directory}", $"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=", "--log.level=warn"],
            directory, url, cancellationToken);
        return new AlertmanagerServer(process, url);
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
