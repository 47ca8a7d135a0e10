using Platform.Cli;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Cli;

/// <summary>Runs the command line in process against a local host, with its admin key: exit code, standard output, standard error.</summary>
internal static class CliRun
{
    public static async Task<(int Exit, string Out, string Err)> RunAsync(LocalHost host, string? stdin, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        string url = host.Client.BaseAddress!.ToString().TrimEnd('/');
        string[] all = [.. args, "--url", url, "--api-key", LocalHost.AdminKey];
        int exit = await CliApp.RunAsync(all, stdout, stderr, stdin is null ? null : new StringReader(stdin), default);
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
