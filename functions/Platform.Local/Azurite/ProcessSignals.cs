using System.Diagnostics;
using System.Globalization;

namespace Platform.Local.Azurite;

/// <summary>Asks a process to stop as Ctrl+C or a service manager would (SIGTERM), so it can save and exit in order.</summary>
public static class ProcessSignals
{
    /// <summary>Sends SIGTERM to <paramref name="pid"/> (through <c>kill</c>; .NET's Process.Kill is SIGKILL).</summary>
    public static async Task TerminateAsync(int pid)
    {
        using Process? term = Process.Start(new ProcessStartInfo("kill", ["-TERM", pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false });
        if (term is not null)
        {
            await term.WaitForExitAsync();
        }
    }
}
