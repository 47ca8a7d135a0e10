namespace Platform.Promql.Parser;

/// <summary>A function's name, argument types and result type; <see cref="OptionalArgs"/> trailing arguments may be left out.</summary>
public sealed record FunctionSignature(string Name, IReadOnlyList<ExprType> Args, int OptionalArgs, ExprType Returns)
{
    private static readonly ExprType S = ExprType.Scalar, V = ExprType.Vector, M = ExprType.Matrix, Str = ExprType.Text;

    /// <summary>The functions this engine evaluates.</summary>
    public static readonly IReadOnlyDictionary<string, FunctionSignature> Supported = new[]
    {
        new FunctionSignature("abs", [V], 0, V), new FunctionSignature("ceil", [V], 0, V), new FunctionSignature("floor", [V], 0, V),
        new FunctionSignature("exp", [V], 0, V), new FunctionSignature("sqrt", [V], 0, V), new FunctionSignature("ln", [V], 0, V),
        new FunctionSignature("log2", [V], 0, V), new FunctionSignature("log10", [V], 0, V), new FunctionSignature("sgn", [V], 0, V),
        new FunctionSignature("round", [V, S], 1, V), new FunctionSignature("clamp", [V, S, S], 0, V),
        new FunctionSignature("clamp_min", [V, S], 0, V), new FunctionSignature("clamp_max", [V, S], 0, V),
        new FunctionSignature("absent", [V], 0, V), new FunctionSignature("absent_over_time", [M], 0, V),
        new FunctionSignature("rate", [M], 0, V), new FunctionSignature("irate", [M], 0, V), new FunctionSignature("increase", [M], 0, V),
        new FunctionSignature("delta", [M], 0, V), new FunctionSignature("idelta", [M], 0, V), new FunctionSignature("deriv", [M], 0, V),
        new FunctionSignature("resets", [M], 0, V), new FunctionSignature("changes", [M], 0, V),
        new FunctionSignature("avg_over_time", [M], 0, V), new FunctionSignature("min_over_time", [M], 0, V),
        new FunctionSignature("max_over_time", [M], 0, V), new FunctionSignature("sum_over_time", [M], 0, V),
        new FunctionSignature("count_over_time", [M], 0, V), new FunctionSignature("last_over_time", [M], 0, V),
        new FunctionSignature("stddev_over_time", [M], 0, V), new FunctionSignature("stdvar_over_time", [M], 0, V),
        new FunctionSignature("present_over_time", [M], 0, V), new FunctionSignature("quantile_over_time", [S, M], 0, V),
        new FunctionSignature("histogram_quantile", [S, V], 0, V),
        new FunctionSignature("label_replace", [V, Str, Str, Str, Str], 0, V),
        new FunctionSignature("time", [], 0, S), new FunctionSignature("vector", [S], 0, V), new FunctionSignature("scalar", [V], 0, S),
        new FunctionSignature("timestamp", [V], 0, V), new FunctionSignature("sort", [V], 0, V), new FunctionSignature("sort_desc", [V], 0, V),
    }.ToDictionary(f => f.Name, StringComparer.Ordinal);

    /// <summary>Functions Prometheus has that this engine does not evaluate: named in the 400 answer.</summary>
    public static readonly IReadOnlySet<string> Known = new HashSet<string>(StringComparer.Ordinal)
    {
        "acos", "acosh", "asin", "asinh", "atan", "atanh", "cos", "cosh", "sin", "sinh", "tan", "tanh", "deg", "rad", "pi",
        "day_of_month", "day_of_week", "day_of_year", "days_in_month", "hour", "minute", "month", "year",
        "holt_winters", "predict_linear", "histogram_count", "histogram_sum", "histogram_fraction", "histogram_stddev",
        "histogram_stdvar", "label_join", "mad_over_time",
    };
}
