using System.Diagnostics;

namespace Platform.Benchmarks.Hosts;

/// <summary>
/// The local host (Platform.Local, built beside the harness) in a child process of its own, so its peak memory
/// is the host's alone and not the load generator's, and so that a test can kill it with SIGKILL mid-request and
/// start another over the same storage, as a crashed and restarted instance.
/// </summary>
internal sealed class LocalHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly HostLog _log;
    private bool _disposed;

    private LocalHostProcess(Process process, HostLog log, Uri functions, Uri otlpHttp)
    {
        _process = process;
        _log = log;
        Functions = functions;
        OtlpHttp = otlpHttp;
    }

    /// <summary>Base address of the Functions routes (…/api/…).</summary>
    public Uri Functions { get; }

    /// <summary>Base address of OTLP/HTTP (…/v1/logs).</summary>
    public Uri OtlpHttp { get; }

    /// <summary>The host's process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Peak resident set of the host process so far (VmHWM on Linux).</summary>
    public long PeakWorkingSetBytes
    {
        get
        {
            _process.Refresh();
            return _process.PeakWorkingSet64;
        }
    }

    public static Task<LocalHostProcess> StartAsync(string connectionString, string adminKey, string logPath)
    {
        string id = Guid.NewGuid().ToString("N")[..10];
        return StartAsync(connectionString, adminKey, logPath,
        [
            ("Platform:Storage:LogContainer", $"http-{id}"),
            ("Platform:Storage:TablePrefix", $"h{id}"),
            ("Platform:Consumers:WakeupQueue", $"w-{id}"),
        ]);
    }

    /// <summary>Starts the host with <paramref name="settings"/> (storage names among them) on fresh loopback ports.</summary>
    public static async Task<LocalHostProcess> StartAsync(string? connectionString, string? adminKey, string logPath, IEnumerable<(string Key, string Value)> settings, IEnumerable<(string Key, string Value)>? environment = null)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "Platform.Local.dll");
        var functions = new Uri($"http://127.0.0.1:{FreePort.Next()}/");
        var otlp = new Uri($"http://127.0.0.1:{FreePort.Next()}/");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(dll);
        // Without them the host starts Azurite itself and keeps (or makes) its own admin key, as for a user.
        // Null: not set at all, not even inherited from whoever runs the harness.
        start.Environment["Platform__Storage__ConnectionString"] = connectionString;
        start.Environment["Platform__Auth__AdminKey"] = adminKey;
        foreach ((string key, string value) in environment ?? [])
        {
            start.Environment[key] = value;
        }
        foreach (string arg in settings.Select(s => $"--{s.Key}={s.Value}").Concat(
        [
            $"--Platform:Local:Urls={functions}",
            $"--Platform:Local:OtlpHttpUrl={otlp}",
            "--Platform:Local:OtlpGrpcUrl=",
            "--Logging:LogLevel:Default=Warning",
        ]))
        {
            start.ArgumentList.Add(arg);
        }

        // Everything the host says (warnings and up) goes to a log beside the report, for when a figure looks wrong.
        // A restarted host over the same log appends to it, so the story of every instance is in one file.
        var log = new HostLog(logPath);
        Process process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        process.OutputDataReceived += (_, e) => log.Write(e.Data);
        process.ErrorDataReceived += (_, e) => log.Write(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var host = new LocalHostProcess(process, log, functions, otlp);

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var waited = Stopwatch.StartNew();
        // Generous: in CI this runs beside the whole test suite on two cores, where one start took over a minute.
        while (waited.Elapsed < TimeSpan.FromSeconds(150))
        {
            if (process.HasExited)
            {
                break;
            }

            try
            {
                using HttpResponseMessage health = await client.GetAsync(new Uri(functions, "api/health"));
                if (health.IsSuccessStatusCode)
                {
                    return host;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        string exit = process.HasExited ? $"it exited with code {process.ExitCode}" : "it is still running";
        await host.DisposeAsync();
        // The last of what it said goes into the message: a caller (the smoke test) may delete the folder with the log.
        string said = File.Exists(logPath) ? string.Join(Environment.NewLine, (await File.ReadAllLinesAsync(logPath)).TakeLast(40)) : "(no output)";
        throw new InvalidOperationException($"the local host did not answer /api/health ({exit}); its output is in {logPath}, ending:{Environment.NewLine}{said}");
    }

    /// <summary>SIGTERM, as Ctrl+C or a service manager stops it: the host shuts down in order (and stops its Azurite).</summary>
    public async Task StopAsync()
    {
        if (!_disposed && !_process.HasExited)
        {
            await Platform.Local.Azurite.ProcessSignals.TerminateAsync(_process.Id);

            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>SIGKILL of the host alone (as the out-of-memory killer does): its children (Azurite) live on.</summary>
    public async Task KillHostOnlyAsync()
    {
        if (!_disposed && !_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>SIGKILL: no shutdown hook runs, nothing is flushed, claims are not released.</summary>
    public async Task KillAsync()
    {
        if (!_disposed && !_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>Kills the host if it still runs and closes its log; a second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        await KillAsync();
        _disposed = true;
        _process.Dispose();
        _log.Dispose();
    }

    /// <summary>The host's output, one timestamped line at a time; lines that arrive after it is closed are dropped.</summary>
    private sealed class HostLog(string path) : IDisposable
    {
        private readonly StreamWriter _writer = new(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        private bool _closed;

        public void Write(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_writer)
            {
                if (!_closed)
                {
                    _writer.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");
                }
            }
        }

        public void Dispose()
        {
            lock (_writer)
            {
                _closed = true;
                _writer.Dispose();
            }
        }
    }
}
