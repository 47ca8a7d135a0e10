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
    Routing.AlertRouter router,
    AlertingTelemetry telemetry,
    IOptions<AlertingOptions> options,
    TimeProvider time,
    ILogger<RuleGroupEvaluator> logger)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Evaluates every group that has a slot due now; one group's failure is logged and never stops the others.</summary>
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
                try
                {
                    await EvaluateGroupAsync(g, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    LogGroupFailed(logger, e, g.Name);
                }
            }
        }
    }

    /// <summary>
    /// Delivers what a previous run left undelivered, then evaluates the group's due slots; false when another instance
    /// evaluated a slot first.
    /// </summary>
    public async Task<bool> EvaluateGroupAsync(RuleGroup group, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(group);
        var loaded = await states.LoadAsync(group.Name, cancellationToken).ConfigureAwait(false);
        var state = loaded?.State ?? GroupState.Empty;
        var version = loaded?.Version;
        var interval = (long)group.Interval.TotalMilliseconds;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var lastSlot = now - (now % interval);
        var claimed = false;
        if (state.LastEvaluation < lastSlot)
        {
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
                // Alerts are decided for sending at the newest slot only: caught-up slots advance state, not notifications.
                var outcome = await EvaluateAtAsync(group, state, slot, slot == lastSlot, now, cancellationToken).ConfigureAwait(false);
                // The instance that saves the slot claims delivering its outbox in the same write.
                var merged = Merge(state.Outbox, outcome.Changes.Count > 0 ? new OutboxChanges(slot, outcome.Changes) : null, outcome.ToSend);
                var next = outcome.State with { Outbox = merged is null ? null : merged with { ClaimedUntil = now + (long)DeliveryClaim.TotalMilliseconds } };
                var saved = await states.TrySaveAsync(group.Name, next, version, cancellationToken).ConfigureAwait(false);
                if (saved is null)
                {
                    LogLostRace(logger, group.Name, slot);
                    return false;
                }
                version = saved;
                state = next;
                claimed = next.Outbox is not null;
                telemetry.Evaluated();
                await WriteSeriesAsync(group.Name, outcome.Series, slot, cancellationToken).ConfigureAwait(false);
            }
        }
        if (state.Outbox is not { IsEmpty: false } outbox) return true;
        if (!claimed)
        {
            // Left by an earlier run: deliver only once its claim has expired, and claim it first.
            if (outbox.ClaimedUntil > now) return true;
            var claim = state with { Outbox = outbox with { ClaimedUntil = now + (long)DeliveryClaim.TotalMilliseconds } };
            version = await states.TrySaveAsync(group.Name, claim, version, cancellationToken).ConfigureAwait(false);
            if (version is null) return false;
            state = claim;
        }
        // Delivered: the outbox empties on the same version guard (a lost race means a newer slot merged into it).
        // Not delivered: the claim is let go, so the next tick (on any instance) tries again.
        var delivered = await DeliverAsync(group.Name, outbox, cancellationToken).ConfigureAwait(false);
        var after = state with { Outbox = delivered ? null : outbox with { ClaimedUntil = 0 } };
        await states.TrySaveAsync(group.Name, after, version, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>How long an instance has to deliver an outbox before another may.</summary>
    private static readonly TimeSpan DeliveryClaim = TimeSpan.FromSeconds(30);

    private static Outbox? Merge(Outbox? pending, OutboxChanges? changes, List<OutboxSend> sends)
    {
        if (pending is null && changes is null && sends.Count == 0) return pending;
        var allChanges = (pending?.Changes ?? []).ToList();
        if (changes is not null) allChanges.Add(changes);
        // A newer decision about an alert replaces an undelivered older one (Alertmanager wants the latest).
        var newer = sends.SelectMany(s => s.Alerts).Select(a => AlertingRule.Fingerprint(a.Labels)).ToHashSet(StringComparer.Ordinal);
        var allSends = (pending?.Sends ?? []).Select(s => s with { Alerts = [.. s.Alerts.Where(a => !newer.Contains(AlertingRule.Fingerprint(a.Labels)))] })
            .Where(s => s.Alerts.Count > 0).Concat(sends).ToList();
        // Bounded: a history that cannot be written for a long time keeps its newest slots.
        return new Outbox(allChanges.TakeLast(MaxOutboxSlots).ToList(), allSends);
    }

    private const int MaxOutboxSlots = 100;

    /// <summary>History first (idempotent per group and slot), then Alertmanager; true when the alerts were taken.</summary>
    private async Task<bool> DeliverAsync(string group, Outbox outbox, CancellationToken cancellationToken)
    {
        foreach (var slot in outbox.Changes)
        {
            try
            {
                await AppendHistoryAsync(group, slot.Slot, slot.Changes, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // History is a record of what happened, not a gate: a topic that cannot be written never stops alerts.
                LogHistoryFailed(logger, e, group, options.Value.AlertsTopic);
            }
        }
        var delivered = true;
        foreach (var send in outbox.Sends)
        {
            delivered &= await alertmanager.SendAsync(send.Alerts, send.Expr, cancellationToken).ConfigureAwait(false);
            // The built-in router takes them too when it is configured (it is off without a routing configuration).
            try
            {
                delivered &= await router.IngestAsync(send.Alerts, AlertmanagerClient.GeneratorUrl(send.Expr, options.Value), options.Value.ExternalLabels, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogRouterFailed(logger, e, group);
                delivered = false;
            }
        }
        return delivered;
    }

    private async Task WriteSeriesAsync(string group, List<(Labels Series, double Value)> series, long slot, CancellationToken cancellationToken)
    {
        if (series.Count == 0) return;
        try
        {
            await writer.WriteAsync("rules/" + group, [.. series.Select(s => new ConvertedSample(s.Series, slot, s.Value, SampleKind.Absolute, 0, 0, slot))],
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogSeriesFailed(logger, e, group);
        }
    }

    private sealed record SlotOutcome(GroupState State, List<AlertChange> Changes, List<(Labels Series, double Value)> Series, List<OutboxSend> ToSend);

    private async Task<SlotOutcome> EvaluateAtAsync(RuleGroup group, GroupState state, long slot, bool send, long now, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var ruleStates = new Dictionary<string, RuleState>(StringComparer.Ordinal);
        var changes = new List<AlertChange>();
        var series = new List<(Labels, double)>();
        var toSend = new List<OutboxSend>();
        var o = options.Value;
        foreach (var (rule, key) in Keys(group))
        {
            var prior = state.Rules.TryGetValue(key, out var p) ? p : null;
            var priorAlerts = prior?.Alerts ?? new Dictionary<string, ActiveAlert>();
            var ruleStarted = Stopwatch.GetTimestamp();
            try
            {
                var samples = await QueryAsync(rule, slot, cancellationToken).ConfigureAwait(false);
                IReadOnlyDictionary<string, ActiveAlert> alerts = new Dictionary<string, ActiveAlert>();
                IReadOnlyList<IReadOnlyDictionary<string, string>>? written = null;
                if (rule.IsAlerting)
                {
                    var result = AlertingRule.Evaluate(group.Name, rule, samples, slot, priorAlerts, o.ExternalLabels, o.ExternalUrl, group.Limit);
                    alerts = result.Alerts;
                    if (send)
                    {
                        var (updated, due) = AlertingRule.Due(result.Alerts, slot, o.ResendDelay, group.Interval, now);
                        alerts = updated;
                        if (due.Count > 0) toSend.Add(new OutboxSend(rule.ExprText, due));
                    }
                    changes.AddRange(result.Changes);
                    series.AddRange(result.Series);
                    series.AddRange(StaleAlertSeries(priorAlerts, alerts));
                }
                else
                {
                    written = await RecordAsync(group, rule, samples, slot, prior?.Series, cancellationToken).ConfigureAwait(false);
                }
                ruleStates[key] = new RuleState("ok", null, slot, Stopwatch.GetElapsedTime(ruleStarted).TotalSeconds, alerts, written);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                telemetry.RuleFailed();
                LogRuleFailed(logger, group.Name, rule.Name, e.Message);
                // Over its limit, a rule's alerts are cleared, as Prometheus does; any other failure keeps them as they were.
                var kept = e is RuleLimitException ? new Dictionary<string, ActiveAlert>() : priorAlerts;
                ruleStates[key] = new RuleState("err", e.Message, slot, Stopwatch.GetElapsedTime(ruleStarted).TotalSeconds, kept, prior?.Series);
            }
        }
        return new SlotOutcome(new GroupState(slot, Stopwatch.GetElapsedTime(started).TotalSeconds, ruleStates), changes, series, toSend);
    }

    /// <summary>
    /// Each rule's key in the group state: its name and a hash of its labels (a second rule alike gets "#2"), so adding
    /// or moving rules keeps the others' alerts, as Prometheus carries state across reloads.
    /// </summary>
    internal static IEnumerable<(Rule Rule, string Key)> Keys(RuleGroup group)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var rule in group.Rules)
        {
            var labels = string.Join(",", rule.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));
            var key = rule.Name + "|" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(labels)).AsSpan(0, 6));
            var n = seen[key] = seen.GetValueOrDefault(key) + 1;
            yield return (rule, n == 1 ? key : string.Create(CultureInfo.InvariantCulture, $"{key}#{n}"));
        }
    }

    /// <summary>ALERTS series of alerts that were pending or firing and are no longer (or changed state): a staleness marker each.</summary>
    private static IEnumerable<(Labels, double)> StaleAlertSeries(IReadOnlyDictionary<string, ActiveAlert> before, IReadOnlyDictionary<string, ActiveAlert> after)
    {
        foreach (var (fingerprint, old) in before)
        {
            if (old.State == AlertStatus.Inactive) continue;
            if (after.TryGetValue(fingerprint, out var now) && now.State == old.State) continue;
            var labels = Labels.From(old.Labels.Select(l => new Label(l.Key, l.Value))
                .Append(new Label(Labels.MetricName, "ALERTS")).Append(new Label("alertstate", old.StateName)));
            yield return (labels, StaleMarker.Value);
            if (!after.TryGetValue(fingerprint, out var still) || still.State == AlertStatus.Inactive)
            {
                yield return (Labels.From(old.Labels.Select(l => new Label(l.Key, l.Value)).Append(new Label(Labels.MetricName, "ALERTS_FOR_STATE"))), StaleMarker.Value);
            }
        }
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

    /// <summary>
    /// A recording rule's result as series: named after the rule, with its labels (an empty one removes the label), at
    /// the slot's time; series it wrote last time and not now get a staleness marker. Answers the label sets written.
    /// </summary>
    private async Task<IReadOnlyList<IReadOnlyDictionary<string, string>>> RecordAsync(RuleGroup group, Rule rule, IReadOnlyList<Sample> samples, long slot,
        IReadOnlyList<IReadOnlyDictionary<string, string>>? before, CancellationToken cancellationToken)
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
            throw new RuleLimitException($"exceeded limit of {group.Limit} with {recorded.Count} series");
        }
        foreach (var old in before ?? [])
        {
            var labels = Labels.From(old.Select(l => new Label(l.Key, l.Value)));
            if (!seen.Contains(labels)) recorded.Add(new ConvertedSample(labels, slot, StaleMarker.Value, SampleKind.Absolute, 0, 0, slot));
        }
        await writer.WriteAsync("rules/" + group.Name, recorded, cancellationToken).ConfigureAwait(false);
        return [.. seen.Select(l => (IReadOnlyDictionary<string, string>)l.Items.ToArray().ToDictionary(x => x.Name, x => x.Value, StringComparer.Ordinal))];
    }

    /// <summary>Appends the slot's state changes to the alerts topic, once per group and slot whichever instance gets there.</summary>
    private async Task AppendHistoryAsync(string group, long slot, IReadOnlyList<AlertChange> changes, CancellationToken cancellationToken)
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rule group {Group}: the built-in router did not take its alerts; they are offered again next tick")]
    private static partial void LogRouterFailed(ILogger logger, Exception exception, string group);

    [LoggerMessage(Level = LogLevel.Error, Message = "Rule group {Group} failed to evaluate; the other groups go on")]
    private static partial void LogGroupFailed(ILogger logger, Exception exception, string group);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rule group {Group}: state changes could not be written to topic {Topic}; alerts are sent anyway")]
    private static partial void LogHistoryFailed(ILogger logger, Exception exception, string group, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rule group {Group}: ALERTS series could not be written")]
    private static partial void LogSeriesFailed(ILogger logger, Exception exception, string group);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rule {Rule} of group {Group} failed: {Error}")]
    private static partial void LogRuleFailed(ILogger logger, string group, string rule, string error);
}
