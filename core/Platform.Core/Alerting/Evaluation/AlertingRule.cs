using Platform.Core.Alerting.Rules;
using Platform.Core.Alerting.Templates;
using Platform.Core.Metrics;
using Platform.Promql.Engine;
using Platform.Promql.Series;

namespace Platform.Core.Alerting.Evaluation;

/// <summary>
/// One evaluation of an alerting rule, pure (Prometheus's <c>AlertingRule.Eval</c>): the query's result at a time and
/// the alerts before → the alerts after, the changes, and the <c>ALERTS</c> / <c>ALERTS_FOR_STATE</c> samples.
/// </summary>
public static class AlertingRule
{
    /// <summary>How long a resolved alert is kept so its resolution is sent (Prometheus: 15 minutes).</summary>
    public static readonly TimeSpan ResolvedRetention = TimeSpan.FromMinutes(15);

    /// <summary>Most alerts one rule may hold (pending, firing, resolved within retention).</summary>
    public const int MaxAlertsPerRule = 2_000;

    /// <summary>The outcome of one evaluation.</summary>
    public sealed record Result(IReadOnlyDictionary<string, ActiveAlert> Alerts, IReadOnlyList<AlertChange> Changes, IReadOnlyList<(Labels Series, double Value)> Series);

    /// <summary>Evaluates the rule at <paramref name="ts"/> (Unix ms) over the query's samples.</summary>
    public static Result Evaluate(string group, Rule rule, IReadOnlyList<Sample> samples, long ts, IReadOnlyDictionary<string, ActiveAlert> before,
        IReadOnlyDictionary<string, string> externalLabels, string externalUrl, int limit)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(before);
        var found = new Dictionary<string, ActiveAlert>(StringComparer.Ordinal);
        foreach (var sample in samples)
        {
            // Templates see every label of the sample, the metric name too; the alert's labels drop the name.
            var data = new TemplateData(sample.Metric.Items.ToArray().ToDictionary(l => l.Name, l => l.Value, StringComparer.Ordinal), sample.F, externalLabels, externalUrl);
            var alertLabels = new SortedDictionary<string, string>(
                sample.Metric.DropMetricName().Items.ToArray().ToDictionary(l => l.Name, l => l.Value, StringComparer.Ordinal), StringComparer.Ordinal);
            foreach (var (name, template) in rule.Labels)
            {
                var value = PromTemplate.Expand(template, data);
                if (value.Length == 0) alertLabels.Remove(name);
                else alertLabels[name] = value;
            }
            alertLabels["alertname"] = rule.Alert!;
            var annotations = rule.Annotations.ToDictionary(a => a.Key, a => PromTemplate.Expand(a.Value, data), StringComparer.Ordinal);
            var fingerprint = Fingerprint(alertLabels);
            if (found.ContainsKey(fingerprint))
            {
                throw new QueryException(QueryErrorType.Execution, "vector contains metrics with the same labelset after applying alert labels");
            }
            found[fingerprint] = new ActiveAlert(alertLabels, annotations, AlertStatus.Pending, sample.F, ts);
        }

        var after = new Dictionary<string, ActiveAlert>(StringComparer.Ordinal);
        var changes = new List<AlertChange>();
        foreach (var (fingerprint, fresh) in found)
        {
            if (before.TryGetValue(fingerprint, out var held) && held.State != AlertStatus.Inactive)
            {
                after[fingerprint] = held with { Value = fresh.Value, Annotations = fresh.Annotations, KeepFiringSince = 0 };
            }
            else
            {
                after[fingerprint] = fresh;
                changes.Add(new AlertChange(group, rule.Alert!, fingerprint, "inactive", "pending", ts, fresh));
            }
        }

        var series = new List<(Labels, double)>();
        foreach (var (fingerprint, held) in before)
        {
            if (found.ContainsKey(fingerprint)) continue;
            var keepFiring = false;
            var alert = held;
            if (alert.State == AlertStatus.Firing && rule.KeepFiringFor > TimeSpan.Zero)
            {
                if (alert.KeepFiringSince == 0) alert = alert with { KeepFiringSince = ts };
                keepFiring = ts - alert.KeepFiringSince < (long)rule.KeepFiringFor.TotalMilliseconds;
            }
            // A pending alert that no longer holds is forgotten; a resolved one is kept 15 minutes, then forgotten.
            if (alert.State == AlertStatus.Pending) continue;
            if (alert.State == AlertStatus.Inactive)
            {
                if (ts - alert.ResolvedAt <= (long)ResolvedRetention.TotalMilliseconds) after[fingerprint] = alert;
                continue;
            }
            if (!keepFiring)
            {
                var resolved = alert with { State = AlertStatus.Inactive, ResolvedAt = ts };
                after[fingerprint] = resolved;
                changes.Add(new AlertChange(group, rule.Alert!, fingerprint, "firing", "inactive", ts, resolved));
                continue;
            }
            after[fingerprint] = alert;
        }

        var active = 0;
        foreach (var fingerprint in after.Keys.ToList())
        {
            var alert = after[fingerprint];
            if (alert.State == AlertStatus.Inactive) continue;
            active++;
            if (alert.State == AlertStatus.Pending && ts - alert.ActiveAt >= (long)rule.For.TotalMilliseconds)
            {
                alert = alert with { State = AlertStatus.Firing, FiredAt = ts };
                after[fingerprint] = alert;
                changes.Add(new AlertChange(group, rule.Alert!, fingerprint, "pending", "firing", ts, alert));
            }
            series.Add((SeriesLabels(alert, "ALERTS", alert.StateName), 1));
            series.Add((SeriesLabels(alert, "ALERTS_FOR_STATE", null), alert.ActiveAt / 1000.0));
        }
        if (limit > 0 && active > limit)
        {
            throw new RuleLimitException($"exceeded limit of {limit} with {active} alerts");
        }
        if (after.Count > MaxAlertsPerRule)
        {
            // The group's state is one table entity: a rule over this bound would make it unsavable.
            throw new RuleLimitException($"a rule may hold at most {MaxAlertsPerRule} alerts (pending, firing and recently resolved), this one has {after.Count}; aggregate it or set the group's limit");
        }
        return new Result(after, changes, series);
    }

    /// <summary>The alerts to send now (Prometheus's <c>needsSending</c>), with <c>LastSentAt</c> and <c>ValidUntil</c> set.</summary>
    public static (IReadOnlyDictionary<string, ActiveAlert> Alerts, IReadOnlyList<ActiveAlert> ToSend) Due(IReadOnlyDictionary<string, ActiveAlert> alerts, long ts,
        TimeSpan resendDelay, TimeSpan interval, long? now = null)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        var updated = new Dictionary<string, ActiveAlert>(alerts, StringComparer.Ordinal);
        var send = new List<ActiveAlert>();
        var delta = (long)Math.Max(resendDelay.TotalMilliseconds, interval.TotalMilliseconds);
        foreach (var (fingerprint, alert) in alerts)
        {
            if (alert.State == AlertStatus.Pending) continue;
            var needs = alert.ResolvedAt > alert.LastSentAt || alert.LastSentAt + (long)resendDelay.TotalMilliseconds < ts;
            if (!needs) continue;
            // Valid from when it is sent: a slot caught up late must not go out already expired.
            var sent = alert with { LastSentAt = ts, ValidUntil = Math.Max(ts, now ?? ts) + 4 * delta };
            updated[fingerprint] = sent;
            send.Add(sent);
        }
        return (updated, send);
    }

    private static Labels SeriesLabels(ActiveAlert alert, string name, string? state)
    {
        var labels = alert.Labels.Select(l => new Label(l.Key, l.Value)).Append(new Label(Labels.MetricName, name));
        if (state is not null) labels = labels.Append(new Label("alertstate", state));
        return Labels.From(labels);
    }

    /// <summary>An alert's identity: a hash of its labels.</summary>
    public static string Fingerprint(IReadOnlyDictionary<string, string> labels) =>
        SeriesId.Of(Labels.From(labels.Select(l => new Label(l.Key, l.Value))))[..16];
}
