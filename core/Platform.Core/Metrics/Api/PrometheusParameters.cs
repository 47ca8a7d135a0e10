using System.Globalization;
using Platform.Promql.Engine;
using Platform.Promql.Parser;

namespace Platform.Core.Metrics.Api;

/// <summary>The parameters of a Prometheus API call, from the query string and a form body, parsed as Prometheus does.</summary>
public sealed class PrometheusParameters(IReadOnlyDictionary<string, IReadOnlyList<string>> values)
{
    /// <summary>The last value of a parameter, or null.</summary>
    public string? Get(string name) => values.TryGetValue(name, out var list) && list.Count > 0 ? list[^1] : null;

    /// <summary>Every value of a repeated parameter (<c>match[]</c>).</summary>
    public IReadOnlyList<string> All(string name) => values.TryGetValue(name, out var list) ? list : [];

    /// <summary>A required parameter.</summary>
    public string Required(string name) => Get(name) is { Length: > 0 } value
        ? value
        : throw new QueryException(QueryErrorType.BadData, $"invalid parameter \"{name}\": parameter is missing");

    /// <summary>A time (RFC 3339 or Unix seconds with a fraction) in Unix ms, or <paramref name="fallback"/> when absent.</summary>
    public long Time(string name, long fallback)
    {
        var text = Get(name);
        if (string.IsNullOrEmpty(text)) return fallback;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && !double.IsNaN(seconds) && !double.IsInfinity(seconds))
        {
            return Math.Abs(seconds) <= PromqlParser.MaxTimestampSeconds
                ? (long)Math.Round(seconds * 1000)
                : throw new QueryException(QueryErrorType.BadData, $"invalid parameter \"{name}\": cannot parse \"{text}\" to a valid timestamp: out of range");
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)) return time.ToUnixTimeMilliseconds();
        throw new QueryException(QueryErrorType.BadData, $"invalid parameter \"{name}\": cannot parse \"{text}\" to a valid timestamp");
    }

    /// <summary>A duration (Prometheus syntax such as <c>15s</c>, or seconds) in ms, or null when absent.</summary>
    public long? Duration(string name)
    {
        var text = Get(name);
        if (string.IsNullOrEmpty(text)) return null;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && !double.IsNaN(seconds) && !double.IsInfinity(seconds))
        {
            var ms = seconds * 1000 is > 0 and <= Durations.MaxMilliseconds ? (long)Math.Round(seconds * 1000) : 0;
            return ms > 0 ? ms : throw new QueryException(QueryErrorType.BadData, $"invalid parameter \"{name}\": cannot parse \"{text}\" to a valid duration. It overflows int64 or is not positive");
        }
        if (Durations.TryParse(text, out var duration) && duration > 0) return duration;
        throw new QueryException(QueryErrorType.BadData, $"invalid parameter \"{name}\": cannot parse \"{text}\" to a valid duration");
    }
}
