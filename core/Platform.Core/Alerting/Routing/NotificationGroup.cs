using Platform.Core.Alerting.Evaluation;

namespace Platform.Core.Alerting.Routing;

/// <summary>An alert as the router holds it: labels, annotations, and its start and end (Unix ms; end 0 or ahead: firing).</summary>
public sealed record RoutedAlert(IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations, long StartsAt, long EndsAt, string GeneratorUrl)
{
    /// <summary>The alert's identity.</summary>
    public string Fingerprint => AlertingRule.Fingerprint(Labels);

    /// <summary>True when the alert has ended by <paramref name="now"/>.</summary>
    public bool IsResolved(long now) => EndsAt > 0 && EndsAt <= now;
}

/// <summary>One notification of a group to its receiver: what was firing and resolved at a flush; <see cref="Done"/> lists the integrations already sent.</summary>
public sealed record Notification(string Id, string GroupKey, string Receiver, string Status, IReadOnlyDictionary<string, string> GroupLabels,
    IReadOnlyList<RoutedAlert> Alerts, long CreatedAt, int Attempts, long NextAttempt, IReadOnlyList<string> Done);

/// <summary>
/// An aggregation group (Alertmanager's <c>aggrGroup</c> and its notification log): the alerts of one route with the
/// same group labels, when it next flushes, what it last notified, and the notifications not yet delivered, in order.
/// </summary>
public sealed record NotificationGroup(
    string Key,
    string RouteId,
    string Receiver,
    IReadOnlyDictionary<string, string> GroupLabels,
    IReadOnlyDictionary<string, RoutedAlert> Alerts,
    long NextFlush,
    IReadOnlyList<string> NotifiedFiring,
    long NotifiedAt,
    IReadOnlyList<Notification> Pending,
    long ClaimedUntil = 0)
{
    /// <summary>A new group for a route and its first alert: it flushes after the route's group_wait.</summary>
    public static NotificationGroup New(string key, Route route, IReadOnlyDictionary<string, string> groupLabels, long now) =>
        new(key, route.Id, route.Receiver, groupLabels, new Dictionary<string, RoutedAlert>(), now + (long)route.GroupWait.TotalMilliseconds, [], 0, []);

    /// <summary>The group with an alert added or updated (the latest word about a fingerprint wins).</summary>
    public NotificationGroup With(RoutedAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var alerts = new Dictionary<string, RoutedAlert>(Alerts, StringComparer.Ordinal) { [alert.Fingerprint] = alert };
        return this with { Alerts = alerts };
    }

    /// <summary>
    /// Alertmanager's flush and dedup stage, pure: when due, decide whether to notify (the firing set changed, something
    /// resolved that was notified firing, or repeat_interval passed), queue the notification, drop resolved alerts, and
    /// schedule the next flush a group_interval on. Muted alerts (silenced, inhibited) count as not firing.
    /// </summary>
    public NotificationGroup Flush(Route route, long now, Func<RoutedAlert, bool> muted)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(muted);
        if (now < NextFlush) return this;
        var firing = Alerts.Values.Where(a => !a.IsResolved(now) && !muted(a)).OrderBy(a => a.Fingerprint, StringComparer.Ordinal).ToList();
        var firingSet = firing.Select(a => a.Fingerprint).ToList();
        var resolved = Alerts.Values.Where(a => a.IsResolved(now) && NotifiedFiring.Contains(a.Fingerprint, StringComparer.Ordinal)).ToList();
        // Alertmanager's dedup: notify for a firing alert not notified yet, for a resolution of one that was, when the
        // last firing alert went away, or after repeat_interval; a firing set that only shrank (an alert silenced) is no news.
        var news = firingSet.Any(f => !NotifiedFiring.Contains(f, StringComparer.Ordinal)) || resolved.Count > 0 || (firing.Count == 0 && NotifiedFiring.Count > 0);
        var repeat = firing.Count > 0 && now >= NotifiedAt + (long)route.RepeatInterval.TotalMilliseconds;
        var next = this with
        {
            Receiver = route.Receiver,
            NextFlush = now + (long)route.GroupInterval.TotalMilliseconds,
            Alerts = Alerts.Where(a => !a.Value.IsResolved(now)).ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal),
        };
        if (!(news || repeat))
        {
            // Nothing to say; resolved alerts that were never notified go quietly, and so leave the notified set.
            return next with { NotifiedFiring = [.. NotifiedFiring.Where(f => next.Alerts.ContainsKey(f))] };
        }
        if (firing.Count + resolved.Count == 0) return next with { NotifiedFiring = firingSet };
        var id = NotificationId(firingSet, resolved.Select(a => a.Fingerprint), now);
        var notification = new Notification(id, Key, route.Receiver, firing.Count > 0 ? "firing" : "resolved", GroupLabels, [.. firing, .. resolved], now, 0, now, []);
        // Each notification is a full snapshot, so a long outage keeps the one being delivered and the newest ones only.
        var queue = Pending.Count < MaxPending ? Pending : [Pending[0], .. Pending.Skip(Pending.Count - MaxPending + 2)];
        return next with { NotifiedFiring = firingSet, NotifiedAt = now, Pending = [.. queue, notification] };
    }

    /// <summary>Most notifications a group queues while its receiver is down.</summary>
    public const int MaxPending = 10;

    /// <summary>Most alerts one group holds; more are refused at ingest (the group is one table entity).</summary>
    public const int MaxAlerts = 1_000;

    private string NotificationId(IEnumerable<string> firing, IEnumerable<string> resolved, long now)
    {
        var text = string.Join("|", [Key, Receiver, string.Join(",", firing), string.Join(",", resolved), now.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)).AsSpan(0, 16));
    }
}
