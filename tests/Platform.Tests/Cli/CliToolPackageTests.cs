using System.Diagnostics;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Cli;

/// <summary>`dotnet pack` makes a .NET tool named `platform` that installs and runs.</summary>
public sealed class CliToolPackageTests
{
    [Fact]
    public async Task The_packed_tool_installs_and_runs_as_platform()
    {
        string work = Path.Combine(Path.GetTempPath(), "platform-tool-" + Guid.NewGuid().ToString("N")[..8]);
        string configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        try
        {
            await DotnetAsync("pack", "cli/Platform.Cli", "--no-build", "-c", configuration, "-o", Path.Combine(work, "nupkg"), "-nologo");
            await DotnetAsync("tool", "install", "Platform.Cli", "--tool-path", Path.Combine(work, "tools"), "--add-source", Path.Combine(work, "nupkg"));
            string platform = Path.Combine(work, "tools", OperatingSystem.IsWindows() ? "platform.exe" : "platform");
            Assert.True(File.Exists(platform), "the tool's command is not 'platform'");

            (int exit, string stdout, _) = await RunAsync(platform, "--help");
            Assert.Equal(0, exit);
            Assert.Contains("produce", stdout, StringComparison.Ordinal);
            (exit, _, string stderr) = await RunAsync(platform, "status", "--url", "http://127.0.0.1:1", "--api-key", "x");
            Assert.Equal(3, exit);
            Assert.Contains("Cannot reach", stderr, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        }
    }

    private static async Task DotnetAsync(params string[] args)
    {
        (int exit, string stdout, string stderr) = await RunAsync("dotnet", args);
        Assert.True(exit == 0, $"dotnet {string.Join(' ', args)} failed:\n{stdout}\n{stderr}");
    }

    private static async Task<(int Exit, string Out, string Err)> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, WorkingDirectory = Golden.RepositoryRoot() };
        foreach (string a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        return (process.ExitCode, await stdout, await stderr);
    }
}
