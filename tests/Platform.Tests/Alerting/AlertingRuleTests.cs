using Platform.Core.Alerting.Evaluation;
using Platform.Core.Alerting.Rules;
using Platform.Promql.Engine;
using Platform.Promql.Series;

namespace Platform.Tests.Alerting;

/// <summary>The alert state machine, as Prometheus's: pending for <c>for</c>, firing, keep_firing_for, resolved and kept 15 minutes.</summary>
public sealed class AlertingRuleTests
{
    private const long T0 = 1_767_225_600_000;
    private static readonly Dictionary<string, string> None = [];

    private static Rule Rule(TimeSpan forDuration, TimeSpan keepFiring = default) =>
        Assert.Single(Assert.Single(RuleFileParser.Parse($$$"""
            groups:
              - name: g
                rules:
                  - alert: ErrorsHigh
                    expr: errors > 1
                    for: {{{(int)forDuration.TotalSeconds}}}s
                    keep_firing_for: {{{(int)keepFiring.TotalSeconds}}}s
                    labels: {severity: page}
                    annotations: {summary: '{{ $labels.job }} at {{ $value }}'}
            """, TimeSpan.FromMinutes(1))).Rules);

    private static Sample Errors(double value) => new(Labels.Of("__name__", "errors", "job", "api"), T0, value);

    [Fact]
    public void An_alert_is_pending_for_its_duration_then_fires_then_resolves()
    {
        var rule = Rule(TimeSpan.FromSeconds(60));
        IReadOnlyDictionary<string, ActiveAlert> alerts = new Dictionary<string, ActiveAlert>();
        var states = new List<string>();
        var changes = new List<string>();
        long[] times = [0, 30_000, 60_000, 90_000, 120_000];
        for (var i = 0; i < times.Length; i++)
        {
            var samples = i < 4 ? new[] { Errors(5 + i) } : [];
            var result = AlertingRule.Evaluate("g", rule, samples, T0 + times[i], alerts, None, "", 0);
            alerts = result.Alerts;
            var alert = Assert.Single(alerts.Values);
            states.Add(alert.StateName);
            changes.AddRange(result.Changes.Select(c => $"{c.From}->{c.To}"));
            if (i == 3) Assert.Equal("api at 8", alert.Annotations["summary"]);
        }
        Assert.Equal(["pending", "pending", "firing", "firing", "inactive"], states);
        Assert.Equal(["inactive->pending", "pending->firing", "firing->inactive"], changes);
        var resolved = Assert.Single(alerts.Values);
        Assert.Equal((T0 + 60_000, T0 + 120_000), (resolved.FiredAt, resolved.ResolvedAt));
        Assert.Equal(new Dictionary<string, string> { ["alertname"] = "ErrorsHigh", ["job"] = "api", ["severity"] = "page" }, resolved.Labels);
    }

    [Fact]
    public void A_pending_alert_that_stops_holding_is_forgotten_without_firing()
    {
        var rule = Rule(TimeSpan.FromMinutes(5));
        var first = AlertingRule.Evaluate("g", rule, [Errors(5)], T0, new Dictionary<string, ActiveAlert>(), None, "", 0);
        var second = AlertingRule.Evaluate("g", rule, [], T0 + 60_000, first.Alerts, None, "", 0);
        Assert.Empty(second.Alerts);
        Assert.Empty(second.Changes);
    }

    [Fact]
    public void Keep_firing_for_holds_a_firing_alert_after_its_condition_stops()
    {
        var rule = Rule(TimeSpan.Zero, keepFiring: TimeSpan.FromSeconds(90));
        var alerts = AlertingRule.Evaluate("g", rule, [Errors(5)], T0, new Dictionary<string, ActiveAlert>(), None, "", 0).Alerts;
        Assert.Equal("firing", Assert.Single(alerts.Values).StateName);
        alerts = AlertingRule.Evaluate("g", rule, [], T0 + 60_000, alerts, None, "", 0).Alerts;
        Assert.Equal("firing", Assert.Single(alerts.Values).StateName);
        alerts = AlertingRule.Evaluate("g", rule, [], T0 + 120_000, alerts, None, "", 0).Alerts;
        Assert.Equal("firing", Assert.Single(alerts.Values).StateName);
        alerts = AlertingRule.Evaluate("g", rule, [], T0 + 180_000, alerts, None, "", 0).Alerts;
        Assert.Equal("inactive", Assert.Single(alerts.Values).StateName);
        // Kept 15 minutes so the resolution goes out, then forgotten.
        Assert.Single(AlertingRule.Evaluate("g", rule, [], T0 + 180_000 + 15 * 60_000, alerts, None, "", 0).Alerts);
        Assert.Empty(AlertingRule.Evaluate("g", rule, [], T0 + 180_000 + 16 * 60_000, alerts, None, "", 0).Alerts);
    }

    [Fact]
    public void Firing_alerts_are_sent_again_after_the_resend_delay_and_a_resolution_at_once()
    {
        var rule = Rule(TimeSpan.Zero);
        var alerts = AlertingRule.Evaluate("g", rule, [Errors(5)], T0, new Dictionary<string, ActiveAlert>(), None, "", 0).Alerts;
        var (sent, first) = AlertingRule.Due(alerts, T0, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(15));
        Assert.Equal(T0 + 4 * 60_000, Assert.Single(first).ValidUntil);
        Assert.Empty(AlertingRule.Due(sent, T0 + 30_000, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(15)).ToSend);
        Assert.Single(AlertingRule.Due(sent, T0 + 61_000, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(15)).ToSend);
        var resolved = AlertingRule.Evaluate("g", rule, [], T0 + 30_000, sent, None, "", 0).Alerts;
        Assert.Equal(T0 + 30_000, Assert.Single(AlertingRule.Due(resolved, T0 + 30_000, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(15)).ToSend).ResolvedAt);
    }

    [Fact]
    public void Alerts_series_and_limits_follow_prometheus()
    {
        var rule = Rule(TimeSpan.FromMinutes(1));
        var result = AlertingRule.Evaluate("g", rule, [Errors(5)], T0, new Dictionary<string, ActiveAlert>(), None, "", 0);
        Assert.Contains(result.Series, s => s.Series.Name == "ALERTS" && s.Series.Get("alertstate") == "pending" && s.Value == 1);
        Assert.Contains(result.Series, s => s.Series.Name == "ALERTS_FOR_STATE" && s.Value == T0 / 1000.0);
        var two = new[] { Errors(5), new Sample(Labels.Of("__name__", "errors", "job", "web"), T0, 3) };
        Assert.Contains("exceeded limit of 1 with 2 alerts",
            Assert.Throws<RuleLimitException>(() => AlertingRule.Evaluate("g", rule, two, T0, new Dictionary<string, ActiveAlert>(), None, "", 1)).Message, StringComparison.Ordinal);
    }
}
