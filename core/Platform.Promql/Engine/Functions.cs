using System.Text.RegularExpressions;
using Platform.Promql.Parser;
using Platform.Promql.Series;

namespace Platform.Promql.Engine;

/// <summary>The function calls (Prometheus's <c>promql/functions.go</c>, 2.x semantics).</summary>
internal static class Functions
{

    public static QueryValue Evaluate(FunctionCall call, Evaluator ev, long ts)
    {
        var name = call.Function.Name;
        var args = call.Args;
        switch (name)
        {
            case "time":
                return new ScalarValue(ts, ts / 1000.0);
            case "vector":
                return new VectorValue([new Sample(Labels.Empty, ts, ev.EvalScalar(args[0], ts))]);
            case "scalar":
                var samples = ev.EvalVector(args[0], ts).Samples;
                return new ScalarValue(ts, samples.Count == 1 ? samples[0].F : double.NaN);
            case "absent":
                return ev.EvalVector(args[0], ts).Samples.Count > 0
                    ? new VectorValue([])
                    : new VectorValue([new Sample(AbsentLabels(args[0]), ts, 1)]);
            case "absent_over_time":
                return ((MatrixValue)ev.Eval(args[0], ts)).Series.Count > 0
                    ? new VectorValue([])
                    : new VectorValue([new Sample(AbsentLabels(args[0]), ts, 1)]);
            case "timestamp":
                var ofSelector = Unwrap(args[0]) is VectorSelector;
                return Map(ev.EvalVector(args[0], ts), ts, s => (ofSelector ? s.T : ts) / 1000.0);
            case "sort":
                return new VectorValue(ev.EvalVector(args[0], ts).Samples.OrderBy(s => s.F, NaNLast.Ascending).Select(s => s with { T = ts }).ToList());
            case "sort_desc":
                return new VectorValue(ev.EvalVector(args[0], ts).Samples.OrderByDescending(s => s.F, NaNLast.Descending).Select(s => s with { T = ts }).ToList());
            case "label_replace":
                return LabelReplace(ev.EvalVector(args[0], ts), Str(ev, args[1], ts), Str(ev, args[2], ts), Str(ev, args[3], ts), Str(ev, args[4], ts), ts);
            case "histogram_quantile":
                return HistogramQuantile.Evaluate(ev.EvalScalar(args[0], ts), ev.EvalVector(args[1], ts), ts);
            case "round":
                var toNearest = args.Count > 1 ? ev.EvalScalar(args[1], ts) : 1;
                var inverse = 1.0 / toNearest;
                return Map(ev.EvalVector(args[0], ts), ts, s => Math.Floor(s.F * inverse + 0.5) / inverse);
            case "clamp":
                var min = ev.EvalScalar(args[1], ts);
                var max = ev.EvalScalar(args[2], ts);
                if (max < min) return new VectorValue([]);
                return Map(ev.EvalVector(args[0], ts), ts, s => Math.Max(min, Math.Min(max, s.F)));
            case "clamp_min":
                var floor = ev.EvalScalar(args[1], ts);
                return Map(ev.EvalVector(args[0], ts), ts, s => Math.Max(floor, s.F));
            case "clamp_max":
                var ceiling = ev.EvalScalar(args[1], ts);
                return Map(ev.EvalVector(args[0], ts), ts, s => Math.Min(ceiling, s.F));
        }
        if (Math1.TryGetValue(name, out var math)) return Map(ev.EvalVector(args[0], ts), ts, s => math(s.F));
        return RangeFunctions.Evaluate(call, ev, ts);
    }

    private static readonly Dictionary<string, Func<double, double>> Math1 = new(StringComparer.Ordinal)
    {
        ["abs"] = Math.Abs,
        ["ceil"] = Math.Ceiling,
        ["floor"] = Math.Floor,
        ["exp"] = Math.Exp,
        ["sqrt"] = Math.Sqrt,
        ["ln"] = Math.Log,
        ["log2"] = Math.Log2,
        ["log10"] = Math.Log10,
        ["sgn"] = v => v < 0 ? -1 : v > 0 ? 1 : v,
    };

    private static VectorValue Map(VectorValue input, long ts, Func<Sample, double> f) =>
        new(input.Samples.Select(s => new Sample(s.Metric.DropMetricName(), ts, f(s))).ToList());

    private static string Str(Evaluator ev, Expr expr, long ts) => ((StringValue)ev.Eval(expr, ts)).Value;

    internal static Expr Unwrap(Expr expr) => expr is ParenExpr p ? Unwrap(p.Inner) : expr;

    /// <summary>The labels <c>absent()</c> answers: those fixed by equality matchers, none that any other matcher names.</summary>
    private static Labels AbsentLabels(Expr arg)
    {
        var matchers = arg switch
        {
            VectorSelector v => v.Matchers,
            MatrixSelector m => m.Selector.Matchers,
            _ => [],
        };
        var set = new Dictionary<string, string>(StringComparer.Ordinal);
        var dropped = new HashSet<string>(StringComparer.Ordinal);
        foreach (var matcher in matchers)
        {
            if (matcher.Name == Labels.MetricName) continue;
            if (matcher.Type == MatcherType.Equal && !set.ContainsKey(matcher.Name)) set[matcher.Name] = matcher.Value;
            else dropped.Add(matcher.Name);
        }
        return Labels.From(set.Where(p => !dropped.Contains(p.Key)).Select(p => new Label(p.Key, p.Value)));
    }

    private static VectorValue LabelReplace(VectorValue input, string dst, string replacement, string src, string pattern, long ts)
    {
        Regex regex;
        try
        {
            regex = PromRegex.Anchored(pattern);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            throw new QueryException(QueryErrorType.Execution, $"invalid regular expression in label_replace(): {pattern}: {e.Message}");
        }
        if (!PromqlParser.IsLabelName(dst)) throw new QueryException(QueryErrorType.Execution, $"invalid destination label name in label_replace(): {dst}");
        var output = new List<Sample>(input.Samples.Count);
        foreach (var sample in input.Samples)
        {
            var match = regex.Match(sample.Metric.Get(src));
            var metric = match.Success ? sample.Metric.With(dst, GoTemplate.Expand(replacement, regex, match)) : sample.Metric;
            output.Add(new Sample(metric, ts, sample.F));
        }
        return new VectorValue(output);
    }

    private sealed class NaNLast : IComparer<double>
    {
        public static readonly NaNLast Ascending = new(false);
        public static readonly NaNLast Descending = new(true);
        private readonly bool _descending;

        private NaNLast(bool descending) => _descending = descending;

        // Prometheus sorts NaN last both ways.
        public int Compare(double x, double y)
        {
            if (double.IsNaN(x)) return double.IsNaN(y) ? 0 : (_descending ? -1 : 1);
            if (double.IsNaN(y)) return _descending ? 1 : -1;
            return x.CompareTo(y);
        }
    }
}
