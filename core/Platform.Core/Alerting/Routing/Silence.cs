namespace Platform.Core.Alerting.Routing;

/// <summary>A silence: alerts whose labels match every matcher are not notified between its start and end (Unix ms).</summary>
public sealed record Silence(string Id, IReadOnlyList<string> Matchers, long StartsAt, long EndsAt, string CreatedBy, string Comment)
{
    /// <summary>True when the silence is in force at <paramref name="now"/>.</summary>
    public bool IsActive(long now) => StartsAt <= now && now < EndsAt;

    /// <summary>True when it mutes an alert with these labels at <paramref name="now"/>.</summary>
    public bool Mutes(IReadOnlyDictionary<string, string> labels, long now)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (!IsActive(now)) return false;
        var matchers = RoutingConfig.Matchers(Matchers, "silence", []);
        return matchers.Count > 0 && matchers.All(m => m.Matches(labels.GetValueOrDefault(m.Name, "")));
    }
}
