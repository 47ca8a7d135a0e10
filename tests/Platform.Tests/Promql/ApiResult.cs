using System.Globalization;
using System.Text.Json;
using Platform.Promql.Api;

namespace Platform.Tests.Promql;

/// <summary>A Prometheus API answer reduced to what two engines must agree on: error type, or result type and series by label set.</summary>
internal sealed record ApiResult(string? ErrorType, string? Error, string? ResultType, SortedDictionary<string, List<(double T, double V)>> Series)
{
    public static ApiResult Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var series = new SortedDictionary<string, List<(double, double)>>(StringComparer.Ordinal);
        if (root.GetProperty("status").GetString() != "success")
        {
            return new ApiResult(root.GetProperty("errorType").GetString(), root.GetProperty("error").GetString(), null, series);
        }
        var data = root.GetProperty("data");
        var type = data.GetProperty("resultType").GetString()!;
        var result = data.GetProperty("result");
        switch (type)
        {
            case "scalar":
            case "string":
                series[""] = [Point(result, type == "string")];
                break;
            case "vector":
                foreach (var element in result.EnumerateArray())
                {
                    series.Add(Key(element.GetProperty("metric")), [Point(element.GetProperty("value"), false)]);
                }
                break;
            case "matrix":
                foreach (var element in result.EnumerateArray())
                {
                    series.Add(Key(element.GetProperty("metric")), element.GetProperty("values").EnumerateArray().Select(p => Point(p, false)).ToList());
                }
                break;
        }
        return new ApiResult(null, null, type, series);
    }

    private static (double, double) Point(JsonElement pair, bool text)
    {
        var t = pair[0].GetDouble();
        var raw = pair[1].GetString()!;
        if (text) return (t, raw.GetHashCode(StringComparison.Ordinal));
        Assert.True(PromFloat.TryParse(raw, out var v), $"not a number: {raw}");
        return (t, v);
    }

    private static string Key(JsonElement metric) =>
        "{" + string.Join(",", metric.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => $"{p.Name}=\"{p.Value.GetString()}\"")) + "}";

    /// <summary>Why two answers differ, or null when they agree (values within 1e-9 relative; 1e-12 absolute near zero).</summary>
    public static string? Difference(ApiResult expected, ApiResult actual)
    {
        if (expected.ErrorType is not null || actual.ErrorType is not null)
        {
            return expected.ErrorType == actual.ErrorType ? null
                : $"error: expected {expected.ErrorType ?? "success"} ({expected.Error}), got {actual.ErrorType ?? "success"} ({actual.Error})";
        }
        if (expected.ResultType != actual.ResultType) return $"result type: expected {expected.ResultType}, got {actual.ResultType}";
        var missing = expected.Series.Keys.Except(actual.Series.Keys).ToList();
        var extra = actual.Series.Keys.Except(expected.Series.Keys).ToList();
        if (missing.Count > 0 || extra.Count > 0)
        {
            return $"series: missing [{string.Join(" ", missing.Take(3))}] extra [{string.Join(" ", extra.Take(3))}] ({expected.Series.Count} vs {actual.Series.Count})";
        }
        foreach (var (key, points) in expected.Series)
        {
            var other = actual.Series[key];
            if (points.Count != other.Count)
            {
                return $"{key}: {points.Count} points expected, {other.Count} got; first times {Times(points)} vs {Times(other)}";
            }
            for (var i = 0; i < points.Count; i++)
            {
                if (points[i].T != other[i].T) return $"{key}: point {i} at {points[i].T} expected, {other[i].T} got";
                if (!Close(points[i].V, other[i].V))
                {
                    return $"{key} at {points[i].T.ToString(CultureInfo.InvariantCulture)}: expected {PromFloat.Format(points[i].V)}, got {PromFloat.Format(other[i].V)}";
                }
            }
        }
        return null;
    }

    private static string Times(List<(double T, double V)> points) => string.Join(",", points.Take(4).Select(p => p.T.ToString(CultureInfo.InvariantCulture)));

    private static bool Close(double a, double b)
    {
        if (double.IsNaN(a) || double.IsNaN(b)) return double.IsNaN(a) && double.IsNaN(b);
        if (a == b) return true;
        if (double.IsInfinity(a) || double.IsInfinity(b)) return false;
        return Math.Abs(a - b) <= Math.Max(1e-12, 1e-9 * Math.Max(Math.Abs(a), Math.Abs(b)));
    }
}
