namespace Platform.Core.Alerting.Evaluation;

/// <summary>Where an alert is: pending (its condition holds, not yet for <c>for</c>), firing, or inactive (resolved).</summary>
public enum AlertStatus
{
    /// <summary>Resolved (kept a while so the resolution is sent).</summary>
    Inactive,
    /// <summary>Holding, not yet for long enough.</summary>
    Pending,
    /// <summary>Firing.</summary>
    Firing,
}

/// <summary>One alert of a rule, as Prometheus's <c>rules.Alert</c>; times are Unix ms, 0 for "never".</summary>
public sealed record ActiveAlert(
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations,
    AlertStatus State,
    double Value,
    long ActiveAt,
    long FiredAt = 0,
    long ResolvedAt = 0,
    long LastSentAt = 0,
    long ValidUntil = 0,
    long KeepFiringSince = 0)
{
    /// <summary>The state's name as Prometheus's APIs write it.</summary>
    public string StateName => State switch { AlertStatus.Pending => "pending", AlertStatus.Firing => "firing", _ => "inactive" };
}
