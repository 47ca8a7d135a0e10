using Platform.Promql.Series;

namespace Platform.Core.Alerting.Routing;

/// <summary>
/// A validated route with its options resolved (inherited from its parent where unset). Matching is Alertmanager's:
/// depth first; a route that matches is tried for its children; the first matching child ends the search among its
/// siblings unless it has <c>continue</c>; a route none of whose children match takes the alert itself.
/// </summary>
public sealed record Route(
    string Id,
    IReadOnlyList<LabelMatcher> Matchers,
    string Receiver,
    IReadOnlyList<string>? GroupBy,
    TimeSpan GroupWait,
    TimeSpan GroupInterval,
    TimeSpan RepeatInterval,
    bool Continue,
    IReadOnlyList<Route> Children)
{
    /// <summary>The routes that take an alert with these labels (the root takes any alert no child takes).</summary>
    public IReadOnlyList<Route> Match(IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (!Matchers.All(m => m.Matches(labels.GetValueOrDefault(m.Name, "")))) return [];
        var matched = new List<Route>();
        foreach (var child in Children)
        {
            var taken = child.Match(labels);
            if (taken.Count == 0) continue;
            matched.AddRange(taken);
            if (!child.Continue) break;
        }
        return matched.Count > 0 ? matched : [this];
    }

    /// <summary>The labels that name an alert's group on this route (all of them for <c>group_by: [...]</c>).</summary>
    public IReadOnlyDictionary<string, string> GroupLabels(IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (GroupBy is null) return new SortedDictionary<string, string>(labels.ToDictionary(l => l.Key, l => l.Value), StringComparer.Ordinal);
        var group = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in GroupBy)
        {
            if (labels.TryGetValue(name, out var value)) group[name] = value;
        }
        return group;
    }
}
