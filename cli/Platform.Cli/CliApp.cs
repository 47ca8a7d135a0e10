using System.CommandLine;

namespace Platform.Cli;

/// <summary>
/// The <c>platform</c> command: topics, produce, consume, groups and keys over the HTTP API. Exit codes: 0 ok, 1 usage,
/// 2 refused by the server (its problem detail printed), 3 connection failure; no stack traces for expected errors.
/// </summary>
public static class CliApp
{
    internal static readonly Option<string?> Url = new("--url") { Description = "The platform's base URL (default: the profile's, PLATFORM_URL, or http://127.0.0.1:7071).", Recursive = true };
    internal static readonly Option<string?> ApiKey = new("--api-key") { Description = "API key (default: the profile's, or PLATFORM_API_KEY).", Recursive = true };
    internal static readonly Option<string?> FunctionsKey = new("--functions-key") { Description = "The Functions host's key (x-functions-key) of a deployment that keeps it on (default: the profile's, or PLATFORM_FUNCTIONS_KEY).", Recursive = true };
    internal static readonly Option<string> Profile = new("--profile") { Description = "Profile in the config file.", DefaultValueFactory = _ => "default", Recursive = true };
    internal static readonly Option<string> Format = new("--output", "-o") { Description = "table (default) or json.", DefaultValueFactory = _ => "table", Recursive = true };

    /// <summary>Runs the command line; returns the exit code.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="stdout">Data and results.</param>
    /// <param name="stderr">Messages and progress.</param>
    /// <param name="stdin">Piped input, or null.</param>
    /// <param name="cancellationToken">Stops a running command.</param>
    /// <param name="terminal">The terminal to ask a confirmation on, or null.</param>
    /// <param name="stderrIsTerminal">Whether progress may be drawn live on <paramref name="stderr"/>.</param>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, TextReader? stdin, CancellationToken cancellationToken, TextReader? terminal = null, bool stderrIsTerminal = false)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        Format.AcceptOnlyFromAmong("table", "json");
        var root = new RootCommand("The platform: topics, records, consumer groups, keys, rules, alerts and notifications over its HTTP API.")
        {
            Options = { Url, ApiKey, FunctionsKey, Profile, Format },
        };
        var context = new CommandContext(stdout, stderr, stdin, terminal, stderrIsTerminal);
        foreach (Command command in Commands.All(context))
        {
            root.Subcommands.Add(command);
        }

        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                await stderr.WriteLineAsync(error.Message).ConfigureAwait(false);
            }

            return CliException.Usage;
        }

        try
        {
            // Ctrl+C cancels the command's token; a group's last commit gets time to finish before the process ends.
            var invocation = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = TimeSpan.FromSeconds(10) };
            return await parsed.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
        }
        catch (CliException e)
        {
            await stderr.WriteLineAsync(e.Message).ConfigureAwait(false);
            return e.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return CliException.Interrupted;
        }
        catch (IOException e)
        {
            // A file that cannot be read, or an output closed early (| head): a message, never a stack trace.
            await TryWriteAsync(stderr, $"I/O failed: {e.Message}").ConfigureAwait(false);
            return CliException.Unreachable;
        }
        catch (UnauthorizedAccessException e)
        {
            await TryWriteAsync(stderr, e.Message).ConfigureAwait(false);
            return CliException.Usage;
        }
    }

    private static async Task TryWriteAsync(TextWriter writer, string text)
    {
        try
        {
            await writer.WriteLineAsync(text).ConfigureAwait(false);
        }
        catch (IOException)
        {
        }
    }
}
