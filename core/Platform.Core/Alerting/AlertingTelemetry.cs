using System.Diagnostics.Metrics;

namespace Platform.Core.Alerting;

/// <summary>Alerting's own OpenTelemetry metrics (meter <c>Platform.Alerting</c>).</summary>
public sealed class AlertingTelemetry : IDisposable
{
    /// <summary>Meter name, for <c>AddMeter</c>.</summary>
    public const string MeterName = "Platform.Alerting";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _evaluations;
    private readonly Counter<long> _missed;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _sent;
    private readonly Counter<long> _failedSends;

    /// <summary>Creates the instruments.</summary>
    public AlertingTelemetry()
    {
        _evaluations = _meter.CreateCounter<long>("platform.alerting.evaluations", "{evaluation}", "Rule group evaluations done.");
        _missed = _meter.CreateCounter<long>("platform.alerting.missed_evaluations", "{evaluation}", "Evaluation slots skipped because more than MaxCatchUp were due.");
        _failures = _meter.CreateCounter<long>("platform.alerting.rule_failures", "{evaluation}", "Rule evaluations that failed (query errors).");
        _sent = _meter.CreateCounter<long>("platform.alerting.notifications_sent", "{alert}", "Alerts sent to Alertmanager.");
        _failedSends = _meter.CreateCounter<long>("platform.alerting.notifications_failed", "{alert}", "Alerts Alertmanager did not take.");
    }

    /// <summary>Counts an evaluation.</summary>
    public void Evaluated() => _evaluations.Add(1);

    /// <summary>Counts skipped slots.</summary>
    public void Missed(long slots) => _missed.Add(slots);

    /// <summary>Counts a failed rule.</summary>
    public void RuleFailed() => _failures.Add(1);

    /// <summary>Counts alerts sent.</summary>
    public void Sent(long alerts) => _sent.Add(alerts);

    /// <summary>Counts alerts not sent.</summary>
    public void Failed(long alerts) => _failedSends.Add(alerts);

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
