using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Platform.Tests.Fixtures;

/// <summary>
/// The local host (Platform.Local.dll, built beside the tests) in a process of its own, so that a test can kill it
/// with SIGKILL mid-request and start another over the same storage, as a crashed and restarted instance.
/// </summary>
public sealed class LocalHostChild : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output;

    private LocalHostChild(Process process, Uri functions, Uri otlpHttp, List<string> output)
    {
        _process = process;
        Functions = functions;
        OtlpHttp = otlpHttp;
        _output = output;
    }

    public Uri Functions { get; }

    public Uri OtlpHttp { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output.TakeLast(200));
            }
        }
    }

    public static async Task<LocalHostChild> StartAsync(string connectionString, string adminKey, IEnumerable<(string Key, string Value)> settings)
    {
        var functions = new Uri($"http://127.0.0.1:{FreePort()}/");
        var otlp = new Uri($"http://127.0.0.1:{FreePort()}/");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Platform.Local.dll"));
        start.Environment["Platform__Storage__ConnectionString"] = connectionString;
        start.Environment["Platform__Auth__AdminKey"] = adminKey;
        foreach (string arg in settings.Select(s => $"--{s.Key}={s.Value}").Concat([$"--Platform:Local:Urls={functions}", $"--Platform:Local:OtlpHttpUrl={otlp}", "--Platform:Local:OtlpGrpcUrl=", "--Logging:LogLevel:Default=Warning"]))
        {
            start.ArgumentList.Add(arg);
        }

        var output = new List<string>();
        Process process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        process.OutputDataReceived += (_, e) => Keep(output, e.Data);
        process.ErrorDataReceived += (_, e) => Keep(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var child = new LocalHostChild(process, functions, otlp, output);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(90) && !process.HasExited)
        {
            try
            {
                using HttpResponseMessage health = await client.GetAsync(new Uri(functions, "api/health"));
                if (health.IsSuccessStatusCode)
                {
                    return child;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // not up yet
            }

            await Task.Delay(200);
        }

        string said = child.Output;
        await child.DisposeAsync();
        throw new InvalidOperationException($"the local host did not come up:\n{said}");
    }

    /// <summary>SIGKILL: no shutdown hook runs, nothing is flushed, claims are not released.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private static void Keep(List<string> output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.Add(line);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
