using System.Text.RegularExpressions;

namespace Platform.Promql.Series;

/// <summary>
/// Regular expressions as Prometheus (Go's RE2) runs them: fully anchored (to the very end, not before a final newline),
/// <c>.</c> not matching a newline, <c>(?P&lt;name&gt;…)</c> groups, and linear-time matching (no backtracking), so a
/// hostile pattern cannot stall a query.
/// </summary>
public static class PromRegex
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    /// <summary>Compiles an anchored pattern; throws <see cref="ArgumentException"/> for one .NET cannot take.</summary>
    public static Regex Anchored(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var translated = pattern.Replace("(?P<", "(?<", StringComparison.Ordinal);
        return new Regex("^(?:" + translated + ")\\z", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, Timeout);
    }
}
