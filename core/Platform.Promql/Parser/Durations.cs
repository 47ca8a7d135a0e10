using System.Globalization;

namespace Platform.Promql.Parser;

/// <summary>Prometheus durations (<c>1h30m</c>, <c>5m</c>, <c>250ms</c>, <c>1d</c>, <c>2w</c>, <c>1y</c>) in milliseconds.</summary>
public static class Durations
{
    private static readonly (string Unit, long Ms)[] Units =
    [
        ("y", 365L * 24 * 3600 * 1000), ("w", 7L * 24 * 3600 * 1000), ("d", 24L * 3600 * 1000),
        ("h", 3600L * 1000), ("m", 60L * 1000), ("s", 1000L), ("ms", 1L),
    ];

    /// <summary>Longest duration Prometheus takes (an int64 of nanoseconds, about 292 years), in ms.</summary>
    public const long MaxMilliseconds = long.MaxValue / 1_000_000;

    /// <summary>Parses a duration; false when the text is not one (units must come largest first, each once) or exceeds 292 years.</summary>
    public static bool TryParse(string text, out long milliseconds)
    {
        milliseconds = 0;
        if (string.IsNullOrEmpty(text)) return false;
        var at = 0;
        var lastUnit = -1;
        while (at < text.Length)
        {
            var start = at;
            while (at < text.Length && char.IsAsciiDigit(text[at])) at++;
            if (at == start) return false;
            if (!long.TryParse(text.AsSpan(start, at - start), NumberStyles.None, CultureInfo.InvariantCulture, out var amount)) return false;
            var unit = -1;
            for (var u = 0; u < Units.Length; u++)
            {
                var name = Units[u].Unit;
                if (string.CompareOrdinal(text, at, name, 0, name.Length) != 0) continue;
                // "m" must not swallow the "m" of "ms".
                if (name == "m" && at + 1 < text.Length && text[at + 1] == 's') continue;
                unit = u;
                break;
            }
            if (unit < 0 || unit <= lastUnit) return false;
            at += Units[unit].Unit.Length;
            lastUnit = unit;
            try
            {
                milliseconds = checked(milliseconds + amount * Units[unit].Ms);
                if (milliseconds > MaxMilliseconds) return false;
            }
            catch (OverflowException)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Formats milliseconds the way Prometheus prints durations (<c>5m</c>, <c>1h30m</c>).</summary>
    public static string Format(long milliseconds)
    {
        if (milliseconds == 0) return "0s";
        var text = new System.Text.StringBuilder();
        if (milliseconds < 0) { text.Append('-'); milliseconds = -milliseconds; }
        foreach (var (unit, ms) in Units)
        {
            if (milliseconds < ms) continue;
            text.Append((milliseconds / ms).ToString(CultureInfo.InvariantCulture)).Append(unit);
            milliseconds %= ms;
        }
        return text.ToString();
    }
}
