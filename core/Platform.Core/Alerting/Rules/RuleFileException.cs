namespace Platform.Core.Alerting.Rules;

/// <summary>A rule file that cannot be evaluated: every problem, each naming its group and rule.</summary>
public sealed class RuleFileException : Exception
{
    /// <summary>Creates the error from its problems.</summary>
    public RuleFileException(IReadOnlyList<string> problems) : base(string.Join("; ", problems)) => Problems = problems;

    /// <summary>Creates the error.</summary>
    public RuleFileException() : this([]) { }

    /// <summary>Creates the error.</summary>
    public RuleFileException(string message) : this([message]) { }

    /// <summary>Creates the error.</summary>
    public RuleFileException(string message, Exception innerException) : base(message, innerException) => Problems = [message];

    /// <summary>The problems, one per line of the answer.</summary>
    public IReadOnlyList<string> Problems { get; }
}
