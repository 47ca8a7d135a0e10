using System.Globalization;
using Platform.Core.Streams.Engine;

namespace Platform.Core.Streams.Definition;

/// <summary>Reads a window's <c>aggregate</c> section.</summary>
internal static class AggregationParser
{
    public static IReadOnlyList<Aggregation> Parse(Dictionary<string, object?> fields, string where, List<string> problems)
    {
        var result = new List<Aggregation>();
        if (fields.Count == 0) problems.Add($"{where}.aggregate: give at least one result field, such as views: count.");
        foreach ((string name, object? spec) in fields)
        {
            string at = $"{where}.aggregate.{name}";
            if (name is "key" or "start" or "end" or "final" || string.IsNullOrEmpty(name))
            {
                problems.Add($"{at}: '{name}' is a name the result uses itself (key, start, end, final).");
                continue;
            }

            try
            {
                if (spec is string s && s == "count")
                {
                    result.Add(new Aggregation(name, AggregationKind.Count, null));
                    continue;
                }

                if (spec is not IDictionary<object, object?> map)
                {
                    problems.Add($"{at}: expected count, or one of {{sum|min|max|avg|distinct: expression}} or {{percentile: expression, q: 0.95}}.");
                    continue;
                }

                var keys = map.Keys.Select(k => k.ToString()!).ToList();
                string? kind = keys.FirstOrDefault(k => k != "q");
                if (kind is null || keys.Count(k => k != "q") != 1 || (keys.Contains("q") && kind != "percentile"))
                {
                    problems.Add($"{at}: expected exactly one of sum, min, max, avg, distinct or percentile (with q).");
                    continue;
                }

                string expression = map[kind]?.ToString() ?? "";
                JsonPath of = JsonPath.Compile(expression, at);
                switch (kind)
                {
                    case "sum": result.Add(new Aggregation(name, AggregationKind.Sum, of)); break;
                    case "min": result.Add(new Aggregation(name, AggregationKind.Min, of)); break;
                    case "max": result.Add(new Aggregation(name, AggregationKind.Max, of)); break;
                    case "avg": result.Add(new Aggregation(name, AggregationKind.Avg, of)); break;
                    case "distinct": result.Add(new Aggregation(name, AggregationKind.Distinct, of)); break;
                    case "percentile":
                        if (!map.TryGetValue("q", out object? q) || !double.TryParse(q?.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double quantile) || quantile is <= 0 or > 1)
                        {
                            problems.Add($"{at}: a percentile needs q between 0 and 1 (such as 0.95).");
                            break;
                        }

                        result.Add(new Aggregation(name, AggregationKind.Percentile, of, quantile));
                        break;
                    default:
                        problems.Add($"{at}: '{kind}' is not one of count, sum, min, max, avg, distinct, percentile.");
                        break;
                }
            }
            catch (StreamJobException e)
            {
                problems.AddRange(e.Problems);
            }
        }

        return result;
    }
}
