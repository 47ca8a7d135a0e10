using System.Text;

namespace Platform.Core.Metrics.Conversion;

/// <summary>
/// OpenTelemetry → Prometheus names, after the specification's "Prometheus and OpenMetrics Compatibility": invalid
/// characters become <c>_</c>, the unit is a suffix (<c>s</c> → <c>_seconds</c>, <c>By/s</c> → <c>_bytes_per_second</c>,
/// units in braces dropped), monotonic sums end in <c>_total</c>, gauges of unit <c>1</c> in <c>_ratio</c>.
/// </summary>
public static class PrometheusNames
{
    private static readonly Dictionary<string, string> Units = new(StringComparer.Ordinal)
    {
        ["d"] = "days", ["h"] = "hours", ["min"] = "minutes", ["s"] = "seconds", ["ms"] = "milliseconds",
        ["us"] = "microseconds", ["ns"] = "nanoseconds", ["By"] = "bytes", ["KiBy"] = "kibibytes", ["MiBy"] = "mebibytes",
        ["GiBy"] = "gibibytes", ["TiBy"] = "tibibytes", ["KBy"] = "kilobytes", ["MBy"] = "megabytes", ["GBy"] = "gigabytes",
        ["TBy"] = "terabytes", ["m"] = "meters", ["V"] = "volts", ["A"] = "amperes", ["J"] = "joules", ["W"] = "watts",
        ["g"] = "grams", ["Cel"] = "celsius", ["Hz"] = "hertz", ["%"] = "percent",
    };

    private static readonly Dictionary<string, string> PerUnits = new(StringComparer.Ordinal)
    {
        ["s"] = "second", ["m"] = "minute", ["h"] = "hour", ["d"] = "day", ["w"] = "week", ["mo"] = "month", ["y"] = "year",
    };

    /// <summary>The Prometheus metric name of an OpenTelemetry metric.</summary>
    public static string MetricName(string name, string unit, bool monotonicSum, bool gauge)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(unit);
        var sanitized = Sanitize(name, allowColon: true);
        if (monotonicSum && sanitized.EndsWith("_total", StringComparison.Ordinal)) sanitized = sanitized[..^"_total".Length];
        var suffix = UnitSuffix(unit);
        if (suffix.Length > 0 && !sanitized.EndsWith("_" + suffix, StringComparison.Ordinal) && sanitized != suffix) sanitized += "_" + suffix;
        if (gauge && unit == "1" && !sanitized.EndsWith("_ratio", StringComparison.Ordinal)) sanitized += "_ratio";
        if (monotonicSum) sanitized += "_total";
        return sanitized;
    }

    /// <summary>The Prometheus label name of an attribute key: invalid characters become <c>_</c>, a leading digit gets <c>key_</c>.</summary>
    public static string LabelName(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var sanitized = Sanitize(key, allowColon: false, collapse: false);
        return sanitized.Length > 0 && char.IsAsciiDigit(sanitized[0]) ? "key_" + sanitized : sanitized;
    }

    /// <summary>The suffix a unit adds (<c>seconds</c>, <c>bytes_per_second</c>), or "" for none.</summary>
    public static string UnitSuffix(string unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        if (unit.Length == 0 || unit == "1") return "";
        var slash = unit.IndexOf('/', StringComparison.Ordinal);
        var main = slash < 0 ? unit : unit[..slash];
        var per = slash < 0 ? "" : unit[(slash + 1)..];
        var mainWord = Word(main, Units);
        var perWord = Word(per, PerUnits);
        if (perWord.Length == 0) return mainWord;
        return mainWord.Length == 0 ? "per_" + perWord : mainWord + "_per_" + perWord;
    }

    private static string Word(string unit, Dictionary<string, string> known)
    {
        unit = unit.Trim();
        // Annotations such as {requests} carry no unit.
        if (unit.Length == 0 || unit.Contains('{', StringComparison.Ordinal)) return "";
        return known.TryGetValue(unit, out var word) ? word : Sanitize(unit, allowColon: false);
    }

    private static string Sanitize(string text, bool allowColon, bool collapse = true)
    {
        var result = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            var valid = char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':');
            var next = valid ? c : '_';
            if (collapse && next == '_' && result.Length > 0 && result[^1] == '_') continue;
            result.Append(next);
        }
        var sanitized = collapse ? result.ToString().Trim('_') : result.ToString();
        if (sanitized.Length == 0) return "_";
        return allowColon && char.IsAsciiDigit(sanitized[0]) ? "_" + sanitized : sanitized;
    }
}
