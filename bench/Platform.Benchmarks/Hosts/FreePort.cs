using System.Net;
using System.Net.Sockets;

namespace Platform.Benchmarks.Hosts;

/// <summary>A loopback port nobody listens on right now, for a server started as a child process.</summary>
internal static class FreePort
{
    public static int Next()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
