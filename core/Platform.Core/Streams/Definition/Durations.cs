using System.Globalization;

namespace Platform.Core.Streams.Definition;

/// <summary>
/// Durations as jobs write them: a Prometheus duration (<c>500ms</c>, <c>10s</c>, <c>5m</c>, <c>1h30m</c>, <c>1d</c>;
/// the same parser as rule files and PromQL), or a number of milliseconds.
/// </summary>
public static class Durations
{
    /// <summary>The duration in milliseconds, or null with <paramref name="problem"/> saying why.</summary>
    public static long? TryParse(string? text, string where, out string? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            problem = $"{where}: a duration is required (such as 10s, 5m, 1h).";
            return null;
        }

        string trimmed = text.Trim();
        if (long.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out long ms) || Promql.Parser.Durations.TryParse(trimmed, out ms))
        {
            return ms;
        }

        problem = $"{where}: '{text}' is not a duration (such as 500ms, 10s, 5m, 1h, 1d).";
        return null;
    }
}
