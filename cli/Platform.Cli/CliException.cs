namespace Platform.Cli;

/// <summary>An expected failure: its message is printed (no stack trace) and the process exits with its code.</summary>
internal sealed class CliException(int exitCode, string message) : Exception(message)
{
    /// <summary>1 usage, 2 refused by the server, 3 connection failure.</summary>
    public int ExitCode { get; } = exitCode;

    public const int Usage = 1;
    public const int Refused = 2;
    public const int Unreachable = 3;

    /// <summary>Stopped by Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
}
