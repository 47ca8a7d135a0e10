using Platform.Promql.Api;
using Platform.Promql.Parser;
using Platform.Promql.Series;

namespace Platform.Promql.Engine;

/// <summary>The aggregation operators, as Prometheus 2.x computes them (incremental mean for avg, Welford for stddev).</summary>
internal static class Aggregations
{
    public static VectorValue Evaluate(AggregateExpr expr, Evaluator evaluator, long ts)
    {
        var input = evaluator.EvalVector(expr.Inner, ts).Samples;
        var grouping = expr.Grouping.ToList();
        string? valueLabel = null;
        double param = 0;
        if (expr.Op == "count_values")
        {
            valueLabel = ((StringValue)evaluator.Eval(expr.Param!, ts)).Value;
            if (!PromqlParser.IsLabelName(valueLabel)) throw new QueryException(QueryErrorType.Execution, $"invalid label name \"{valueLabel}\"");
            if (expr.Without) grouping.Remove(valueLabel);
            else grouping.Add(valueLabel);
        }
        else if (expr.Param is not null)
        {
            param = evaluator.EvalScalar(expr.Param, ts);
        }
        if (expr.Without) grouping.Add(Labels.MetricName);

        if (expr.Op is "topk" or "bottomk")
        {
            if (double.IsNaN(param) || param >= long.MaxValue || param <= long.MinValue)
            {
                throw new QueryException(QueryErrorType.Execution, $"Scalar value {PromFloat.Format(param)} overflows int64");
            }
            var k = (long)param;
            if (k < 1) return new VectorValue([]);
            return new VectorValue(TopK(input, grouping, expr.Without, (int)Math.Min(k, int.MaxValue), expr.Op == "topk"));
        }

        var groups = new Dictionary<Labels, Group>();
        var order = new List<Group>();
        foreach (var sample in input)
        {
            var metric = valueLabel is null ? sample.Metric : sample.Metric.With(valueLabel, PromFloat.Format(sample.F));
            var key = GroupKey(metric, grouping, expr.Without);
            if (!groups.TryGetValue(key, out var group))
            {
                groups[key] = group = new Group(key, sample.F);
                order.Add(group);
                if (expr.Op == "quantile") group.Values.Add(sample.F);
                continue;
            }
            group.Add(expr.Op, sample.F);
        }
        var output = new List<Sample>(order.Count);
        foreach (var group in order)
        {
            var value = expr.Op switch
            {
                "sum" or "min" or "max" => group.Value,
                "avg" => group.Mean,
                "count" or "count_values" => group.Count,
                "group" => 1,
                "stdvar" => group.Aux / group.Count,
                "stddev" => Math.Sqrt(group.Aux / group.Count),
                "quantile" => Quantile(param, group.Values),
                _ => throw new QueryException(QueryErrorType.BadData, $"unsupported aggregation \"{expr.Op}\""),
            };
            output.Add(new Sample(group.Metric, ts, value));
        }
        return new VectorValue(output);
    }

    private static Labels GroupKey(Labels metric, List<string> grouping, bool without) =>
        without ? metric.Without(grouping) : metric.Keep(grouping);

    private static List<Sample> TopK(IReadOnlyList<Sample> input, List<string> grouping, bool without, int k, bool top)
    {
        var groups = new Dictionary<Labels, List<Sample>>();
        var order = new List<List<Sample>>();
        foreach (var sample in input)
        {
            var key = GroupKey(sample.Metric, grouping, without);
            if (!groups.TryGetValue(key, out var members))
            {
                groups[key] = members = [];
                order.Add(members);
            }
            members.Add(sample);
        }
        var output = new List<Sample>();
        foreach (var members in order)
        {
            // NaN loses to every number in both directions, as in Prometheus's heaps.
            var ranked = top
                ? members.OrderByDescending(s => double.IsNaN(s.F) ? double.NegativeInfinity : s.F).ThenBy(s => double.IsNaN(s.F))
                : members.OrderBy(s => double.IsNaN(s.F) ? double.PositiveInfinity : s.F).ThenBy(s => double.IsNaN(s.F));
            output.AddRange(ranked.Take(k));
        }
        return output;
    }

    /// <summary>Prometheus's <c>quantile</c>: linear interpolation between the closest ranks, NaN sorted first.</summary>
    public static double Quantile(double q, List<double> values)
    {
        if (values.Count == 0 || double.IsNaN(q)) return double.NaN;
        if (q < 0) return double.NegativeInfinity;
        if (q > 1) return double.PositiveInfinity;
        values.Sort((a, b) => double.IsNaN(a) ? (double.IsNaN(b) ? 0 : -1) : double.IsNaN(b) ? 1 : a.CompareTo(b));
        var n = (double)values.Count;
        var rank = q * (n - 1);
        var lower = Math.Max(0, Math.Floor(rank));
        var upper = Math.Min(n - 1, lower + 1);
        var weight = rank - Math.Floor(rank);
        return values[(int)lower] * (1 - weight) + values[(int)upper] * weight;
    }

    private sealed class Group
    {
        public Group(Labels metric, double first)
        {
            Metric = metric;
            Value = first;
            Mean = first;
            Count = 1;
        }

        public Labels Metric { get; }
        public double Value { get; private set; }
        public double Mean { get; private set; }
        public double Aux { get; private set; }
        public double Count { get; private set; }
        public List<double> Values { get; } = [];

        public void Add(string op, double f)
        {
            Count++;
            switch (op)
            {
                case "sum":
                    Value += f;
                    break;
                case "min":
                    if (Value > f || double.IsNaN(Value)) Value = f;
                    break;
                case "max":
                    if (Value < f || double.IsNaN(Value)) Value = f;
                    break;
                case "avg":
                    if (double.IsInfinity(Mean))
                    {
                        if (double.IsInfinity(f) && (Mean > 0) == (f > 0)) break;
                        if (!double.IsInfinity(f) && !double.IsNaN(f)) break;
                    }
                    Mean += f / Count - Mean / Count;
                    break;
                case "stddev" or "stdvar":
                    var delta = f - Mean;
                    Mean += delta / Count;
                    Aux += delta * (f - Mean);
                    break;
                case "quantile":
                    Values.Add(f);
                    break;
            }
        }
    }
}
