using System.Globalization;
using System.Text.RegularExpressions;

namespace Platform.Core.Streams.Definition;

/// <summary>Durations as jobs write them: <c>500ms</c>, <c>10s</c>, <c>5m</c>, <c>1h</c>, <c>1d</c>, or a number of milliseconds.</summary>
public static partial class Durations
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

        Match m = Pattern().Match(text.Trim());
        if (!m.Success || !long.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out long n))
        {
            problem = $"{where}: '{text}' is not a duration (such as 500ms, 10s, 5m, 1h, 1d).";
            return null;
        }

        long unit = m.Groups[2].Value switch { "ms" or "" => 1, "s" => 1_000, "m" => 60_000, "h" => 3_600_000, _ => 86_400_000 };
        if (n > long.MaxValue / unit / 2)
        {
            problem = $"{where}: '{text}' is too long.";
            return null;
        }

        return n * unit;
    }

    [GeneratedRegex("^([0-9]{1,15})(ms|s|m|h|d|)$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
