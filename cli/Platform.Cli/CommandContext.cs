using System.CommandLine;

namespace Platform.Cli;

/// <summary>What every command needs: the resolved endpoint and key, the outputs, standard input.</summary>
/// <param name="stdout">Data and results.</param>
/// <param name="stderr">Progress and messages, so that standard output stays data.</param>
/// <param name="stdin">Piped standard input; null when it is a terminal.</param>
/// <param name="terminal">The terminal, for a confirmation; null when there is none (scripts, CI).</param>
/// <param name="stderrIsTerminal">True when standard error is a terminal: a live progress display is shown there.</param>
internal sealed class CommandContext(TextWriter stdout, TextWriter stderr, TextReader? stdin, TextReader? terminal, bool stderrIsTerminal)
{
    private static readonly HttpClient SharedHttp = new() { Timeout = TimeSpan.FromSeconds(100) };

    private readonly HttpClient _http = SharedHttp;

    public TextReader? Stdin => stdin;

    public TextReader? Terminal => terminal;

    public TextWriter Stderr => stderr;

    public bool StderrIsTerminal => stderrIsTerminal;

    public PlatformClient Client(ParseResult parsed)
    {
        (string url, string? key, string? functionsKey) = Profiles.Resolve(parsed.GetValue(CliApp.Url), parsed.GetValue(CliApp.ApiKey), parsed.GetValue(CliApp.FunctionsKey), parsed.GetValue(CliApp.Profile)!, Profiles.DefaultPath);
        return new PlatformClient(_http, url, key, functionsKey);
    }

    /// <summary>The text of a file argument, or of standard input for <c>-</c>.</summary>
    public async Task<string> ReadTextAsync(FileInfo source, string what, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.Name == "-"
            ? await (stdin ?? throw new CliException(CliException.Usage, $"'-' reads {what} from standard input, but nothing is piped in.")).ReadToEndAsync(cancellationToken)
            : source.Exists ? await File.ReadAllTextAsync(source.FullName, cancellationToken) : throw new CliException(CliException.Usage, $"No such file: {source.FullName}");
    }

    public Output Output(ParseResult parsed) => new(stdout, parsed.GetValue(CliApp.Format) == "json");

    /// <summary>
    /// Confirms a deletion: with <c>--yes</c> given, at once; on a terminal, by typing the name; without one, not at all
    /// (a usage error that says what would go).
    /// </summary>
    /// <param name="yes">Whether <c>--yes</c> was given.</param>
    /// <param name="what">What is deleted, e.g. "topic".</param>
    /// <param name="name">Its name, which confirms.</param>
    /// <param name="loses">What goes with it, e.g. "all its records".</param>
    public void ConfirmDeletion(bool yes, string what, string name, string loses)
    {
        if (yes)
        {
            return;
        }

        if (terminal is null)
        {
            throw new CliException(CliException.Usage, $"Deleting {what} '{name}' removes {loses}: add --yes to confirm.");
        }

        stderr.Write($"Delete {what} '{name}' and {loses}? Type its name to confirm: ");
        if (terminal.ReadLine()?.Trim() != name)
        {
            throw new CliException(CliException.Usage, "Not confirmed; nothing deleted.");
        }
    }
}
