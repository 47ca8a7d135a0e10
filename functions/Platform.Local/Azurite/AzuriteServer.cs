using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Platform.Local.Azurite;

/// <summary>
/// Azurite (the Azure Storage emulator) from the repository's pinned npm package, started on free
/// loopback ports, in memory or over a data folder it keeps across runs, and stopped with its whole process tree on
/// dispose (asked to stop first when it has data to save).
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    /// <summary>The well-known development account of the emulator.</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>The well-known development key of the emulator (public, not a secret).</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process _process;
    private readonly StringBuilder _output;
    private readonly string _workspace;
    private readonly bool _keepsData;

    private AzuriteServer(Process process, StringBuilder output, string workspace, bool keepsData, int blobPort, int queuePort, int tablePort)
    {
        _process = process;
        _output = output;
        _workspace = workspace;
        _keepsData = keepsData;
        BlobPort = blobPort;
        QueuePort = queuePort;
        TablePort = tablePort;
    }

    /// <summary>The Node process serving all three services (for measuring its CPU).</summary>
    public int ProcessId => _process.Id;

    /// <summary>Blob service port.</summary>
    public int BlobPort { get; }

    /// <summary>Queue service port.</summary>
    public int QueuePort { get; }

    /// <summary>Table service port.</summary>
    public int TablePort { get; }

    /// <summary>A connection string for all three services.</summary>
    public string ConnectionString => ConnectionStringOf(AccountName, AccountKey);

    /// <summary>A second account in the same Azurite, for placing segments on several accounts.</summary>
    public const string SecondAccountName = "platformsecond";

    /// <summary>The second account's key (Azurite's well-known key).</summary>
    public const string SecondAccountKey = AccountKey;

    /// <summary>A connection string for the second account.</summary>
    public string SecondConnectionString => ConnectionStringOf(SecondAccountName, SecondAccountKey);

    private string ConnectionStringOf(string account, string key) => string.Create(
        CultureInfo.InvariantCulture,
        $"DefaultEndpointsProtocol=http;AccountName={account};AccountKey={key};BlobEndpoint=http://127.0.0.1:{BlobPort}/{account};QueueEndpoint=http://127.0.0.1:{QueuePort}/{account};TableEndpoint=http://127.0.0.1:{TablePort}/{account};");

    /// <summary>What Azurite printed so far (for diagnostics).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts Azurite and waits until all three services accept connections: in memory, or, with
    /// <paramref name="dataDirectory"/>, over that folder (kept across runs).
    /// </summary>
    /// <exception cref="InvalidOperationException">Azurite is not installed or did not start.</exception>
    public static async Task<AzuriteServer> StartAsync(CancellationToken cancellationToken, string? dataDirectory = null)
    {
        string script = AzuriteLocator.FindScript();
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await TryStartAsync(script, dataDirectory, cancellationToken);
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // A free port may have been taken between choosing and binding it: choose again.
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_keepsData && !_process.HasExited)
            {
                // SIGTERM: Azurite saves its metadata and exits; killed outright it could lose the last seconds of it.
                await ProcessSignals.TerminateAsync(_process.Id);

                await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            // It did not stop in time (or is gone): killed below.
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }

        _process.Dispose();
        if (_keepsData)
        {
            File.Delete(Path.Combine(_workspace, "azurite.pid"));
            return;
        }

        try
        {
            Directory.Delete(_workspace, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>
    /// An Azurite left running over the data folder by a local host that was killed outright (its child outlived it):
    /// stopped before another starts over the same files. The caller holds the folder's lock, so no live host owns it.
    /// </summary>
    private static async Task StopOrphanAsync(string dataDirectory)
    {
        string pidFile = Path.Combine(dataDirectory, "azurite.pid");
        if (!File.Exists(pidFile) || !int.TryParse(await File.ReadAllTextAsync(pidFile), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
        {
            return;
        }

        try
        {
            using var orphan = Process.GetProcessById(pid);
            if (!orphan.HasExited && orphan.ProcessName == "node")
            {
                Console.WriteLine($"Stopping an Azurite (process {pid}) left running over {dataDirectory} by a host that did not stop cleanly.");
                // SIGTERM first, so it saves what it holds; killed if it does not go.
                await ProcessSignals.TerminateAsync(pid);

                try
                {
                    await orphan.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
                }
                catch (TimeoutException)
                {
                    orphan.Kill(entireProcessTree: true);
                    await orphan.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
                }
            }
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            // Gone already.
        }
    }

    private static async Task<AzuriteServer> TryStartAsync(string script, string? dataDirectory, CancellationToken cancellationToken)
    {
        if (dataDirectory is not null)
        {
            await StopOrphanAsync(dataDirectory);
        }

        int blob = FreePort(), queue = FreePort(), table = FreePort();
        string workspace = dataDirectory ?? Path.Combine(Path.GetTempPath(), "platform-azurite-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(workspace);
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workspace,
        };
        // The well-known account and a second one (Azurite replaces its default account list when this is set).
        start.Environment["AZURITE_ACCOUNTS"] = $"{AccountName}:{AccountKey};{SecondAccountName}:{SecondAccountKey}";
        string[] persistence = dataDirectory is null ? ["--inMemoryPersistence"] : ["--location", workspace];
        string[] args =
        [
            script, .. persistence, "--disableTelemetry", "--skipApiVersionCheck", "--loose", "--silent",
            "--blobHost", "127.0.0.1", "--blobPort", blob.ToString(CultureInfo.InvariantCulture),
            "--queueHost", "127.0.0.1", "--queuePort", queue.ToString(CultureInfo.InvariantCulture),
            "--tableHost", "127.0.0.1", "--tablePort", table.ToString(CultureInfo.InvariantCulture),
        ];
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var output = new StringBuilder();
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException("Could not start node for Azurite.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new AzuriteServer(process, output, workspace, dataDirectory is not null, blob, queue, table);
        try
        {
            await WaitForPortsAsync(process, [blob, queue, table], cancellationToken);
            if (dataDirectory is not null)
            {
                await File.WriteAllTextAsync(Path.Combine(dataDirectory, "azurite.pid"), process.Id.ToString(CultureInfo.InvariantCulture), cancellationToken);
            }

            return server;
        }
        catch
        {
            string printed = server.Output;
            await server.DisposeAsync();
            throw new InvalidOperationException($"Azurite did not start on ports {blob}, {queue}, {table}. It printed:{Environment.NewLine}{printed}");
        }
    }

    private static async Task WaitForPortsAsync(Process process, int[] ports, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        foreach (int port in ports)
        {
            while (true)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException("Azurite exited.");
                }

                try
                {
                    using var client = new TcpClient();
                    await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                    break;
                }
                catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(60))
                {
                    await Task.Delay(100, cancellationToken);
                }
            }
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            if (output.Length < 64 * 1024)
            {
                output.AppendLine(line);
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
