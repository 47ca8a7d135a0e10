namespace Platform.Core.Alerting.Routing;

/// <summary>A silence: alerts whose labels match every matcher are not notified between its start and end (Unix ms).</summary>
public sealed record Silence(string Id, IReadOnlyList<string> Matchers, long StartsAt, long EndsAt, string CreatedBy, string Comment)
{
    /// <summary>True when the silence is in force at <paramref name="now"/>.</summary>
    public bool IsActive(long now) => StartsAt <= now && now < EndsAt;

    /// <summary>Its matchers, parsed (once per flush, not once per alert).</summary>
    public IReadOnlyList<Promql.Series.LabelMatcher> ParsedMatchers() => RoutingConfig.Matchers(Matchers, "silence", []);

    /// <summary>True when these matchers (see <see cref="ParsedMatchers"/>) mute an alert with these labels.</summary>
    public static bool Mutes(IReadOnlyList<Promql.Series.LabelMatcher> matchers, IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(matchers);
        ArgumentNullException.ThrowIfNull(labels);
        return matchers.Count > 0 && matchers.All(m => m.Matches(labels.GetValueOrDefault(m.Name, "")));
    }
}
