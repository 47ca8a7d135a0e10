using System.Globalization;

namespace Platform.Benchmarks.Hosts;

/// <summary>
/// Where the machine's CPU went during one run (Linux <c>/proc</c>): in all, in the given host processes, in Azurite's
/// process and in the harness itself. Tells a run bound by the cores from one bound by waits.
/// </summary>
internal readonly record struct CpuTimes(double MachineBusySeconds, double MachineSeconds, double HostSeconds, double HarnessSeconds, double StorageSeconds, double StorageThreadSeconds, double WallSeconds, bool StorageFound)
{
    private static readonly double TicksPerSecond = 100; // USER_HZ, 100 on every Linux the harness runs on

    public double BusyShare => MachineSeconds == 0 ? double.NaN : MachineBusySeconds / MachineSeconds;

    /// <summary>
    /// How busy Azurite's main thread was: Node answers every request on that one thread, so near 100 % the
    /// emulator, not the platform, sets the pace.
    /// </summary>
    public double StorageThreadBusy => WallSeconds == 0 || !StorageFound ? double.NaN : StorageThreadSeconds / WallSeconds;

    public static CpuTimes operator -(CpuTimes after, CpuTimes before) => new(
        after.MachineBusySeconds - before.MachineBusySeconds,
        after.MachineSeconds - before.MachineSeconds,
        after.HostSeconds - before.HostSeconds,
        after.HarnessSeconds - before.HarnessSeconds,
        after.StorageSeconds - before.StorageSeconds,
        after.StorageThreadSeconds - before.StorageThreadSeconds,
        after.WallSeconds - before.WallSeconds,
        after.StorageFound && before.StorageFound);

    /// <summary>Now; zero everywhere when <c>/proc</c> is not there.</summary>
    public static CpuTimes Sample(IEnumerable<int> hostProcessIds, int storageProcessId)
    {
        if (!File.Exists("/proc/stat"))
        {
            return default;
        }

        // "cpu  user nice system idle iowait irq softirq steal ..." summed over all cores.
        string[] cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        double[] ticks = [.. cpu.Skip(1).Take(8).Select(t => double.Parse(t, CultureInfo.InvariantCulture))];
        double idle = ticks[3] + ticks[4];
        double all = ticks.Sum();
        return new CpuTimes(
            (all - idle) / TicksPerSecond,
            all / TicksPerSecond,
            hostProcessIds.Sum(ProcessSeconds),
            ProcessSeconds(Environment.ProcessId),
            storageProcessId == 0 ? 0 : ProcessSeconds(storageProcessId),
            storageProcessId == 0 ? 0 : StatSeconds($"/proc/{storageProcessId}/task/{storageProcessId}/stat"),
            System.Diagnostics.Stopwatch.GetTimestamp() / (double)System.Diagnostics.Stopwatch.Frequency,
            storageProcessId != 0);
    }

    // utime and stime, fields 14 and 15 of /proc/<pid>/stat, counted after the ")" that ends the command name.
    private static double ProcessSeconds(int pid) => StatSeconds($"/proc/{pid}/stat");

    private static double StatSeconds(string path)
    {
        try
        {
            string stat = File.ReadAllText(path);
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
