using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Core.Alerting.Notifier;
using Platform.Core.Alerting.Rules;
using Platform.Core.Log;
using Platform.Core.Log.Appending;
using Platform.Core.Metrics.Aggregation;
using Platform.Core.Metrics.Conversion;
using Platform.Core.Metrics.Query;
using Platform.Core.Storage;
using Platform.Promql.Engine;
using Platform.Promql.Series;

namespace Platform.Core.Alerting.Evaluation;

/// <summary>
/// Evaluates the rule groups that are due. Each group runs at slots aligned to its interval; a slot missed (the timer
/// was late, the app was down) is caught up in order, up to <c>MaxCatchUp</c>, older ones counted and logged. Per slot:
/// query every rule at the slot's time (recording rules write their series at once, so later rules of the group see
/// them), record state changes in the <c>alerts</c> topic (idempotent per group and slot), save the group's state on
/// its version — the instance that loses that race stops and sends nothing, so two instances never double a
/// notification — then write <c>ALERTS</c> series and send to Alertmanager.
/// </summary>
public sealed partial class RuleGroupEvaluator(
    IRuleStore rules,
    IAlertStateStore states,
    QueryEngine engine,
    StoredSeriesQuerier querier,
    SampleWriter writer,
    LogProducer producer,
    AlertmanagerClient alertmanager,
    AlertingTelemetry telemetry,
    IOptions<AlertingOptions> options,
    TimeProvider time,
    ILogger<RuleGroupEvaluator> logger)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Evaluates every group that has a slot due now.</summary>
    public async Task EvaluateDueAsync(CancellationToken cancellationToken)
    {
        var stored = await rules.ListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var group in stored)
        {
            IReadOnlyList<RuleGroup> parsed;
            try
            {
                parsed = RuleFileParser.Parse(group.Source, options.Value.DefaultInterval);
            }
            catch (RuleFileException e)
            {
                LogUnparsable(logger, group.Name, e.Message);
                continue;
            }
            foreach (var g in parsed)
            {
                await EvaluateGroupAsync(g, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Evaluates one group's due slots; false when another instance evaluated a slot first.</summary>
    public async Task<bool> EvaluateGroupAsync(RuleGroup group, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(group);
        var loaded = await states.LoadAsync(group.Name, cancellationToken).ConfigureAwait(false);
        var state = loaded?.State ?? GroupState.Empty;
        var version = loaded?.Version;
        var interval = (long)group.Interval.TotalMilliseconds;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var lastSlot = now - (now % interval);
        if (state.LastEvaluation >= lastSlot) return true;
        var first = state.LastEvaluation == 0 ? lastSlot : state.LastEvaluation + interval;
        var due = (lastSlot - first) / interval + 1;
        if (due > options.Value.MaxCatchUp)
        {
            var skipped = due - options.Value.MaxCatchUp;
            telemetry.Missed(skipped);
            LogMissed(logger, group.Name, skipped);
            first += skipped * interval;
        }
        for (var slot = first; slot <= lastSlot; slot += interval)
        {
            var outcome = await EvaluateAtAsync(group, state, slot, cancellationToken).ConfigureAwait(false);
            if (outcome.Changes.Count > 0) await RecordAsync(group.Name, slot, outcome.Changes, cancellationToken).ConfigureAwait(false);
            var saved = await states.TrySaveAsync(group.Name, outcome.State, version, cancellationToken).ConfigureAwait(false);
            if (saved is null)
            {
                LogLostRace(logger, group.Name, slot);
                return false;
            }
            version = saved;
            state = outcome.State;
            telemetry.Evaluated();
            if (outcome.Series.Count > 0)
            {
                await writer.WriteAsync("rules/" + group.Name, [.. outcome.Series.Select(s => new ConvertedSample(s.Series, slot, s.Value, SampleKind.Absolute, 0, 0, slot))],
                    cancellationToken).ConfigureAwait(false);
            }
            foreach (var (expr, alerts) in outcome.ToSend)
            {
                await alertmanager.SendAsync(alerts, expr, cancellationToken).ConfigureAwait(false);
            }
        }
        return true;
    }

    private sealed record SlotOutcome(GroupState State, List<AlertChange> Changes, List<(Labels Series, double Value)> Series, List<(string Expr, IReadOnlyList<ActiveAlert> Alerts)> ToSend);

    private async Task<SlotOutcome> EvaluateAtAsync(RuleGroup group, GroupState state, long slot, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var ruleStates = new Dictionary<string, RuleState>(StringComparer.Ordinal);
        var changes = new List<AlertChange>();
        var series = new List<(Labels, double)>();
        var toSend = new List<(string, IReadOnlyList<ActiveAlert>)>();
        var o = options.Value;
        for (var i = 0; i < group.Rules.Count; i++)
        {
            var rule = group.Rules[i];
            var key = string.Create(CultureInfo.InvariantCulture, $"{i}:{rule.Name}");
            var prior = state.Rules.TryGetValue(key, out var p) ? p.Alerts : new Dictionary<string, ActiveAlert>();
            var ruleStarted = Stopwatch.GetTimestamp();
            try
            {
                var samples = await QueryAsync(rule, slot, cancellationToken).ConfigureAwait(false);
                IReadOnlyDictionary<string, ActiveAlert> alerts = new Dictionary<string, ActiveAlert>();
                if (rule.IsAlerting)
                {
                    var result = AlertingRule.Evaluate(group.Name, rule, samples, slot, prior, o.ExternalLabels, o.ExternalUrl, group.Limit);
                    var (updated, send) = AlertingRule.Due(result.Alerts, slot, o.ResendDelay, group.Interval);
                    alerts = updated;
                    changes.AddRange(result.Changes);
                    series.AddRange(result.Series);
                    if (send.Count > 0) toSend.Add((rule.ExprText, send));
                }
                else
                {
                    await RecordAsync(group, rule, samples, slot, cancellationToken).ConfigureAwait(false);
                }
                ruleStates[key] = new RuleState("ok", null, slot, Stopwatch.GetElapsedTime(ruleStarted).TotalSeconds, alerts);
            }
            catch (QueryException e)
            {
                telemetry.RuleFailed();
                LogRuleFailed(logger, group.Name, rule.Name, e.Message);
                ruleStates[key] = new RuleState("err", e.Message, slot, Stopwatch.GetElapsedTime(ruleStarted).TotalSeconds, prior);
            }
        }
        return new SlotOutcome(new GroupState(slot, Stopwatch.GetElapsedTime(started).TotalSeconds, ruleStates), changes, series, toSend);
    }

    private async Task<IReadOnlyList<Sample>> QueryAsync(Rule rule, long slot, CancellationToken cancellationToken)
    {
        var value = await engine.InstantAsync(querier, rule.ExprText, slot, cancellationToken).ConfigureAwait(false);
        return value switch
        {
            VectorValue v => v.Samples,
            ScalarValue s => [new Sample(Labels.Empty, slot, s.F)],
            _ => throw new QueryException(QueryErrorType.BadData, "a rule's expression must give a vector or a scalar"),
        };
    }

    /// <summary>A recording rule's result as series: named after the rule, with its labels, at the slot's time.</summary>
    private async Task RecordAsync(RuleGroup group, Rule rule, IReadOnlyList<Sample> samples, long slot, CancellationToken cancellationToken)
    {
        var recorded = new List<ConvertedSample>(samples.Count);
        var seen = new HashSet<Labels>();
        foreach (var sample in samples)
        {
            var labels = sample.Metric.With(Labels.MetricName, rule.Record!);
            foreach (var (name, value) in rule.Labels) labels = labels.With(name, value);
            if (!seen.Add(labels)) throw new QueryException(QueryErrorType.Execution, "vector contains metrics with the same labelset after applying rule labels");
            recorded.Add(new ConvertedSample(labels, slot, sample.F, SampleKind.Absolute, 0, 0, slot));
        }
        if (group.Limit > 0 && recorded.Count > group.Limit)
        {
            throw new QueryException(QueryErrorType.Execution, $"exceeded limit of {group.Limit} with {recorded.Count} series");
        }
        await writer.WriteAsync("rules/" + group.Name, recorded, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Appends the slot's state changes to the alerts topic, once per group and slot whichever instance gets there.</summary>
    private async Task RecordAsync(string group, long slot, List<AlertChange> changes, CancellationToken cancellationToken)
    {
        var records = changes.Select(c => new ProduceRecord
        {
            Key = System.Text.Encoding.UTF8.GetBytes(c.Fingerprint),
            Headers = [new RecordHeader("content-type", "application/json"u8.ToArray())],
            Value = JsonSerializer.SerializeToUtf8Bytes(new
            {
                group = c.Group, rule = c.Rule, fingerprint = c.Fingerprint, from = c.From, to = c.To,
                at = DateTimeOffset.FromUnixTimeMilliseconds(c.At), labels = c.Alert.Labels, annotations = c.Alert.Annotations,
                value = double.IsFinite(c.Alert.Value) ? c.Alert.Value : (double?)null,
                activeAt = DateTimeOffset.FromUnixTimeMilliseconds(c.Alert.ActiveAt),
            }, Json),
        }).ToList();
        try
        {
            await producer.ProduceIdempotentAsync(options.Value.AlertsTopic, records, string.Create(CultureInfo.InvariantCulture, $"{group}|{slot}"), cancellationToken).ConfigureAwait(false);
        }
        catch (LogException e) when (e.Kind == LogErrorKind.OutOfOrderSequence)
        {
            // Another instance recorded this slot with other contents (its data was newer): its record stands; this
            // instance will lose the state race too.
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Rule group {Group} is stored but does not parse: {Problems}")]
    private static partial void LogUnparsable(ILogger logger, string group, string problems);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rule group {Group}: {Skipped} evaluations were due beyond Platform:Alerting:MaxCatchUp and were skipped")]
    private static partial void LogMissed(ILogger logger, string group, long skipped);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Rule group {Group} slot {Slot} was evaluated by another instance first")]
    private static partial void LogLostRace(ILogger logger, string group, long slot);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rule {Rule} of group {Group} failed: {Error}")]
    private static partial void LogRuleFailed(ILogger logger, string group, string rule, string error);
}
