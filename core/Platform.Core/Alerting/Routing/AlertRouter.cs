using System.Text.Json;
using Microsoft.Extensions.Logging;
using Platform.Core.Alerting.Evaluation;
using Platform.Core.Alerting.Rules;
using Platform.Core.Storage;

namespace Platform.Core.Alerting.Routing;

/// <summary>
/// The built-in router, for users without an Alertmanager: alerts from rule evaluation go into aggregation groups by
/// the routing tree; a flush (on the evaluation timer) notifies each due group's receiver once — the instance that saves
/// the group's flush on its version delivers it, so a receiver sees each group notification once per interval however
/// many instances run. Undelivered notifications stay queued in the group, in order, and are retried with back-off.
/// </summary>
public sealed partial class AlertRouter(IRouterStore store, NotificationSender sender, TimeProvider time, ILogger<AlertRouter> logger)
{
    private const int MaxAttempts = 8;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan DeliveryClaim = TimeSpan.FromSeconds(30);

    /// <summary>The current configuration, or null when the router is off.</summary>
    public async Task<RoutingConfig?> ConfigAsync(CancellationToken cancellationToken)
    {
        var source = await store.GetConfigAsync(cancellationToken).ConfigureAwait(false);
        if (source is null) return null;
        try
        {
            return RoutingConfig.Parse(source);
        }
        catch (RuleFileException e)
        {
            LogBadConfig(logger, e.Message);
            return null;
        }
    }

    /// <summary>Validates and stores a configuration; throws <see cref="RuleFileException"/> with every problem.</summary>
    public async Task<RoutingConfig> PutConfigAsync(string source, CancellationToken cancellationToken)
    {
        var config = RoutingConfig.Parse(source);
        await store.PutConfigAsync(source, cancellationToken).ConfigureAwait(false);
        return config;
    }

    /// <summary>Takes alerts from rule evaluation (as Alertmanager takes its POSTs); true when every one is stored.</summary>
    public async Task<bool> IngestAsync(IReadOnlyList<ActiveAlert> alerts, string generatorUrl, IReadOnlyDictionary<string, string> externalLabels, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        var config = await ConfigAsync(cancellationToken).ConfigureAwait(false);
        if (config is null) return true;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var byGroup = new Dictionary<string, (Route Route, IReadOnlyDictionary<string, string> GroupLabels, List<RoutedAlert> Alerts)>(StringComparer.Ordinal);
        foreach (var alert in alerts)
        {
            var labels = new SortedDictionary<string, string>(alert.Labels.ToDictionary(l => l.Key, l => l.Value), StringComparer.Ordinal);
            foreach (var (name, value) in externalLabels) labels.TryAdd(name, value);
            var routed = new RoutedAlert(labels, alert.Annotations, alert.FiredAt, alert.ResolvedAt > 0 ? alert.ResolvedAt : alert.ValidUntil, generatorUrl);
            foreach (var route in config.Root.Match(labels))
            {
                var groupLabels = route.GroupLabels(labels);
                var key = route.Id + "|" + JsonSerializer.Serialize(groupLabels);
                if (!byGroup.TryGetValue(key, out var entry)) byGroup[key] = entry = (route, groupLabels, []);
                entry.Alerts.Add(routed);
            }
        }
        // One read and one write per group, whatever the number of its alerts.
        foreach (var (key, (route, groupLabels, routedAlerts)) in byGroup)
        {
            for (var attempt = 0; ; attempt++)
            {
                var held = await store.GetGroupAsync(key, cancellationToken).ConfigureAwait(false);
                var group = held?.Group ?? NotificationGroup.New(key, route, groupLabels, now);
                foreach (var routed in routedAlerts)
                {
                    if (group.Alerts.Count >= NotificationGroup.MaxAlerts && !group.Alerts.ContainsKey(routed.Fingerprint))
                    {
                        LogGroupFull(logger, key, NotificationGroup.MaxAlerts);
                        continue;
                    }
                    group = group.With(routed);
                }
                if (await store.TrySaveGroupAsync(group, held?.Version, cancellationToken).ConfigureAwait(false) is not null) break;
                if (attempt >= 20) return false;
            }
        }
        return true;
    }

    /// <summary>Flushes every due group and delivers what is queued; one group's trouble never stops the others.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var config = await ConfigAsync(cancellationToken).ConfigureAwait(false);
        if (config is null) return;
        var listedAt = time.GetUtcNow().ToUnixTimeMilliseconds();
        var groups = await store.ListGroupsAsync(cancellationToken).ConfigureAwait(false);
        var silences = (await store.ListSilencesAsync(cancellationToken).ConfigureAwait(false)).Where(s => s.IsActive(listedAt)).Select(s => s.ParsedMatchers()).ToList();
        var firing = groups.SelectMany(g => g.Group.Alerts.Values).Where(a => !a.IsResolved(listedAt)).ToList();
        bool Muted(RoutedAlert alert) => silences.Any(matchers => Silence.Mutes(matchers, alert.Labels)) || Inhibited(alert, firing, config.InhibitRules);
        foreach (var (group, version) in groups)
        {
            try
            {
                // Each group on the clock as it is when its turn comes: claims are timed from then.
                await FlushGroupAsync(config, group, version, Muted, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogGroupFailed(logger, e, group.Key);
            }
        }
    }

    private async Task FlushGroupAsync(RoutingConfig config, NotificationGroup group, string version, Func<RoutedAlert, bool> muted, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        // Another instance is delivering this group: leave it alone until it is done (or its claim lapses).
        if (group.ClaimedUntil > now) return;
        var route = Find(config.Root, group.RouteId);
        if (route is null)
        {
            // Its route is gone from the configuration: what is queued is still delivered, nothing new is decided.
            if (group.Pending.Count == 0) await store.TryDeleteGroupAsync(group.Key, version, cancellationToken).ConfigureAwait(false);
            route = config.Root;
        }
        var flushed = group.Flush(route, now, muted);
        var deliverable = flushed.Pending.Count > 0 && flushed.Pending[0].NextAttempt <= now && group.ClaimedUntil <= now;
        if (flushed.Alerts.Count == 0 && flushed.Pending.Count == 0)
        {
            await store.TryDeleteGroupAsync(group.Key, version, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (!deliverable)
        {
            if (!ReferenceEquals(flushed, group)) await store.TrySaveGroupAsync(flushed, version, cancellationToken).ConfigureAwait(false);
            return;
        }
        // Claim the delivery in the same write as the flush: the instance whose save wins is the one that sends. An
        // alert ingested since the listing changed the version: read the group again and flush that.
        var claimed = flushed with { ClaimedUntil = now + (long)DeliveryClaim.TotalMilliseconds };
        var claimVersion = await store.TrySaveGroupAsync(claimed, version, cancellationToken).ConfigureAwait(false);
        if (claimVersion is null)
        {
            if (await store.GetGroupAsync(group.Key, cancellationToken).ConfigureAwait(false) is not { } current || current.Group.ClaimedUntil > now) return;
            claimed = current.Group.Flush(route, now, muted) with { ClaimedUntil = now + (long)DeliveryClaim.TotalMilliseconds };
            if (claimed.Pending.Count == 0 || claimed.Pending[0].NextAttempt > now) return;
            claimVersion = await store.TrySaveGroupAsync(claimed, current.Version, cancellationToken).ConfigureAwait(false);
            if (claimVersion is null) return;
        }
        var pending = await DeliverAsync(config, claimed.Pending, claimed.ClaimedUntil, cancellationToken).ConfigureAwait(false);
        await ReleaseAsync(claimed, claimVersion, pending, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Records what was delivered and lets go of the claim. Alerts may have arrived meanwhile (a newer version): the
    /// delivery's result is applied to the group as it is now, so nothing delivered is queued again.
    /// </summary>
    private async Task ReleaseAsync(NotificationGroup claimed, string version, List<Notification> remaining, CancellationToken cancellationToken)
    {
        var delivered = claimed.Pending.Select(n => n.Id).Except(remaining.Select(n => n.Id), StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal);
        var updates = remaining.ToDictionary(n => n.Id, StringComparer.Ordinal);
        var group = claimed;
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var released = group with
            {
                Pending = [.. group.Pending.Where(n => !delivered.Contains(n.Id)).Select(n => updates.GetValueOrDefault(n.Id, n))],
                // Let go only of our own claim: one taken since (ours lapsed) stays with its instance.
                ClaimedUntil = group.ClaimedUntil == claimed.ClaimedUntil ? 0 : group.ClaimedUntil,
            };
            if (await store.TrySaveGroupAsync(released, version, cancellationToken).ConfigureAwait(false) is not null) return;
            if (await store.GetGroupAsync(claimed.Key, cancellationToken).ConfigureAwait(false) is not { } current) return;
            (group, version) = current;
        }
    }

    /// <summary>Delivers queued notifications in order; stops at the first that is not done, so order is kept. Answers what remains.</summary>
    private async Task<List<Notification>> DeliverAsync(RoutingConfig config, IReadOnlyList<Notification> queue, long claimedUntil, CancellationToken cancellationToken)
    {
        var remaining = queue.ToList();
        while (remaining.Count > 0)
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            // Stop with time to spare before the claim ends (a send may take 10 s): past it, another instance may start.
            if (remaining[0].NextAttempt > now || now >= claimedUntil - 12_000) break;
            var notification = remaining[0];
            if (!config.Receivers.TryGetValue(notification.Receiver, out var receiver))
            {
                LogDropped(logger, notification.Id, notification.Receiver, "the receiver is no longer configured");
                remaining.RemoveAt(0);
                continue;
            }
            var done = notification.Done.ToList();
            TimeSpan? wait = null;
            foreach (var integration in NotificationSender.Integrations(receiver).Where(i => !done.Contains(i, StringComparer.Ordinal)))
            {
                var outcome = await sender.SendAsync(notification, receiver, integration, cancellationToken).ConfigureAwait(false);
                switch (outcome.Status)
                {
                    case DeliveryStatus.Sent:
                        done.Add(integration);
                        break;
                    case DeliveryStatus.Permanent:
                        LogDropped(logger, notification.Id, $"{notification.Receiver}/{integration}", outcome.Error ?? "refused");
                        done.Add(integration);
                        break;
                    default:
                        var backoff = TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, notification.Attempts) * (0.75 + Random.Shared.NextDouble() / 2)));
                        // Retry-After is honoured up to the longest back-off, so one header cannot block a queue for days.
                        wait = outcome.RetryAfter is { } after && after > backoff ? (after < MaxBackoff ? after : MaxBackoff) : backoff;
                        break;
                }
            }
            if (wait is null)
            {
                remaining.RemoveAt(0);
                continue;
            }
            if (notification.Attempts + 1 >= MaxAttempts && notification.CreatedAt + (long)TimeSpan.FromHours(24).TotalMilliseconds < now)
            {
                LogDropped(logger, notification.Id, notification.Receiver, "undeliverable for a day");
                remaining.RemoveAt(0);
                continue;
            }
            remaining[0] = notification with { Attempts = notification.Attempts + 1, NextAttempt = now + (long)wait.Value.TotalMilliseconds, Done = done };
            break;
        }
        return remaining;
    }

    private static bool Inhibited(RoutedAlert target, List<RoutedAlert> firing, IReadOnlyList<InhibitRule> rules)
    {
        static bool All(IReadOnlyList<Promql.Series.LabelMatcher> matchers, RoutedAlert alert) => matchers.All(m => m.Matches(alert.Labels.GetValueOrDefault(m.Name, "")));
        foreach (var rule in rules)
        {
            if (!All(rule.Target, target)) continue;
            // Alertmanager: when the target would also be a source, sources that are also targets do not mute it
            // (two criticals of one cluster must not silence each other).
            var twoSided = All(rule.Source, target);
            foreach (var source in firing)
            {
                if (source.Fingerprint == target.Fingerprint) continue;
                if (!All(rule.Source, source)) continue;
                if (twoSided && All(rule.Target, source)) continue;
                if (rule.Equal.All(l => source.Labels.GetValueOrDefault(l, "") == target.Labels.GetValueOrDefault(l, ""))) return true;
            }
        }
        return false;
    }

    private static Route? Find(Route route, string id) =>
        route.Id == id ? route : route.Children.Select(c => Find(c, id)).FirstOrDefault(r => r is not null);

    [LoggerMessage(Level = LogLevel.Error, Message = "The stored routing configuration does not parse: {Problems}")]
    private static partial void LogBadConfig(ILogger logger, string problems);

    [LoggerMessage(Level = LogLevel.Error, Message = "Notification group {Group} failed to flush; the others go on")]
    private static partial void LogGroupFailed(ILogger logger, Exception exception, string group);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification group {Group} holds {Max} alerts: further new alerts are not routed into it")]
    private static partial void LogGroupFull(ILogger logger, string group, int max);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification {Id} to {Receiver} dropped: {Reason}")]
    private static partial void LogDropped(ILogger logger, string id, string receiver, string reason);
}
