using System.Diagnostics;

namespace Platform.Benchmarks.Peers;

/// <summary>
/// A reference server (Prometheus, Alertmanager) run as a child process over a scratch folder: started with its
/// arguments, ready when its <c>/-/ready</c> answers 200, killed and its folder removed on dispose.
/// </summary>
internal sealed class PeerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private PeerProcess(Process process, string directory)
    {
        _process = process;
        _directory = directory;
    }

    /// <summary>Starts <paramref name="binary"/> and waits up to a minute for <c>{url}/-/ready</c>.</summary>
    public static Task<PeerProcess> StartAsync(string binary, IEnumerable<string> args, string directory, Uri url, CancellationToken cancellationToken) =>
        StartAsync(binary, args, directory, async http =>
        {
            using var ready = await http.GetAsync(new Uri(url, "-/ready"), cancellationToken);
            return ready.IsSuccessStatusCode;
        }, cancellationToken);

    /// <summary>Starts <paramref name="binary"/> and waits up to a minute for <paramref name="ready"/> to say so.</summary>
    public static async Task<PeerProcess> StartAsync(string binary, IEnumerable<string> args, string directory, Func<HttpClient, Task<bool>> ready, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(binary) { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = directory };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        var process = Process.Start(start)!;
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var peer = new PeerProcess(process, directory);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60) && !process.HasExited)
        {
            try
            {
                if (await ready(http)) return peer;
            }
            catch (Exception e) when (e is HttpRequestException or System.Net.Sockets.SocketException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
            await Task.Delay(100, cancellationToken);
        }
        await peer.DisposeAsync();
        throw new InvalidOperationException($"{Path.GetFileName(binary)} did not become ready within 60 s");
    }

    /// <summary>A new scratch folder under the temp directory.</summary>
    public static string NewDirectory(string prefix)
    {
        var directory = Path.Combine(Path.GetTempPath(), prefix + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        return directory;
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
