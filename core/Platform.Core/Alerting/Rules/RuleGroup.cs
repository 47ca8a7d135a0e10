using Platform.Promql.Parser;

namespace Platform.Core.Alerting.Rules;

/// <summary>A validated group, ready to evaluate.</summary>
public sealed record RuleGroup(string Name, TimeSpan Interval, int Limit, IReadOnlyList<Rule> Rules, string Source);

/// <summary>A validated rule: recording when <see cref="Record"/> is set, alerting otherwise.</summary>
public sealed record Rule(
    string? Record,
    string? Alert,
    string ExprText,
    Expr Expr,
    TimeSpan For,
    TimeSpan KeepFiringFor,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations)
{
    /// <summary>The rule's name: the alert or the recorded series.</summary>
    public string Name => Alert ?? Record ?? "";

    /// <summary>True for an alerting rule.</summary>
    public bool IsAlerting => Alert is not null;
}
