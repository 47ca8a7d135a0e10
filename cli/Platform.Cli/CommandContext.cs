using System.CommandLine;

namespace Platform.Cli;

/// <summary>What every command needs: the resolved endpoint and key, the output, standard input.</summary>
internal sealed class CommandContext(TextWriter stdout, TextReader? stdin)
{
    private static readonly HttpClient SharedHttp = new() { Timeout = TimeSpan.FromSeconds(100) };

    private readonly HttpClient _http = SharedHttp;

    public TextReader? Stdin => stdin;

    public PlatformClient Client(ParseResult parsed)
    {
        (string url, string? key) = Profiles.Resolve(parsed.GetValue(CliApp.Url), parsed.GetValue(CliApp.ApiKey), parsed.GetValue(CliApp.Profile)!, Profiles.DefaultPath);
        return new PlatformClient(_http, url, key);
    }

    public Output Output(ParseResult parsed) => new(stdout, parsed.GetValue(CliApp.Format) == "json");
}
