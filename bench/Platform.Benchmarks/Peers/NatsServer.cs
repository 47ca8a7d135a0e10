using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Platform.Benchmarks.Peers;

/// <summary>nats-server (Debian's package) with JetStream file storage on a free loopback port; installed with apt-get when missing.</summary>
internal sealed class NatsServer : IAsyncDisposable
{
    private readonly PeerProcess _process;

    private NatsServer(PeerProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Url => $"nats://127.0.0.1:{Port}";

    /// <summary>Starts the server, or returns null with the reason when it cannot be had on this machine.</summary>
    public static async Task<(NatsServer? Server, string? Why)> TryStartAsync(bool mayInstall)
    {
        string? binary = Find();
        if (binary is null && mayInstall)
        {
            Console.Error.WriteLine("nats-server missing: apt-get update; apt-get install -y nats-server");
            // A fresh machine has no package lists yet: install fails without an update first.
            await RunAsync("apt-get", "update -q");
            await RunAsync("apt-get", "install -y -q nats-server");
            binary = Find();
        }

        if (binary is null)
        {
            return (null, mayInstall ? "nats-server could not be installed (apt-get install nats-server failed)" : "nats-server is not installed (the smoke run does not install it)");
        }

        int port = Hosts.FreePort.Next();
        string store = PeerProcess.NewDirectory("bench-nats");
        try
        {
            PeerProcess process = await PeerProcess.StartAsync(binary, ["-js", "-sd", store, "-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture)], store, async _ =>
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return true;
            }, CancellationToken.None);
            return (new NatsServer(process, port), null);
        }
        catch (InvalidOperationException)
        {
            return (null, "nats-server did not start");
        }
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private static readonly string[] Places = ["/usr/bin/nats-server", "/usr/sbin/nats-server", "/usr/local/bin/nats-server"];

    private static string? Find() => Places.FirstOrDefault(File.Exists);

    private static async Task RunAsync(string file, string args)
    {
        try
        {
            using Process p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            await p.WaitForExitAsync();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No apt-get here.
        }
    }
}
