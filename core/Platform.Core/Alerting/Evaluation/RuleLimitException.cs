namespace Platform.Core.Alerting.Evaluation;

/// <summary>A rule produced more alerts or series than its group's <c>limit</c>: as in Prometheus, its alerts are cleared and the rule reports the error.</summary>
public sealed class RuleLimitException : Exception
{
    /// <summary>Creates the error.</summary>
    public RuleLimitException(string message) : base(message) { }

    /// <summary>Creates the error.</summary>
    public RuleLimitException() { }

    /// <summary>Creates the error.</summary>
    public RuleLimitException(string message, Exception innerException) : base(message, innerException) { }
}
