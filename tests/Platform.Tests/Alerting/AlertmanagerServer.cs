using System.Diagnostics;
using System.Globalization;
using Platform.Benchmarks.Hosts;

namespace Platform.Tests.Alerting;

/// <summary>The real Alertmanager (Debian's prometheus-alertmanager) on a free loopback port, routing to a webhook.</summary>
public sealed class AlertmanagerServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private AlertmanagerServer(Process process, string directory, Uri url)
    {
        _process = process;
        _directory = directory;
        Url = url;
    }

    public Uri Url { get; }

    public static string? Binary => new[] { "/usr/bin/prometheus-alertmanager", "/usr/local/bin/alertmanager", "/usr/bin/alertmanager" }.FirstOrDefault(File.Exists);

    /// <summary>Why it cannot run here, or null.</summary>
    public static string? Missing => Binary is null ? "prometheus-alertmanager is not installed (apt-get update && apt-get install prometheus-alertmanager; .ci/run does this)" : null;

    /// <summary>Starts it grouping by alertname and job, with 1 s waits, sending every notification (resolved too) to <paramref name="webhook"/>.</summary>
    public static async Task<AlertmanagerServer> StartAsync(Uri webhook)
    {
        var directory = Path.Combine(Path.GetTempPath(), "alertmanager-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
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
            """);
        var port = FreePort.Next();
        var start = new ProcessStartInfo(Binary ?? throw new InvalidOperationException(Missing)) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { $"--config.file={config}", $"--storage.path={directory}", $"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=", "--log.level=warn" })
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start)!;
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var url = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var i = 0; i < 300 && !process.HasExited; i++)
        {
            try
            {
                using var ready = await http.GetAsync(new Uri(url, "-/ready"));
                if (ready.IsSuccessStatusCode) return new AlertmanagerServer(process, directory, url);
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        throw new InvalidOperationException("alertmanager did not become ready");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A test that needs the real Alertmanager; skipped, saying why, only when it is not installed.</summary>
public sealed class AlertmanagerFactAttribute : FactAttribute
{
    public AlertmanagerFactAttribute()
    {
        if (AlertmanagerServer.Missing is { } why) Skip = why;
    }
}
