using Platform.Promql.Parser;

namespace Platform.Promql.Engine;

/// <summary>One binary operation on two numbers (Prometheus's <c>vectorElemBinop</c>): the value, and for comparisons whether it holds.</summary>
public static class BinaryArithmetic
{
    /// <summary>Applies <paramref name="op"/>; a comparison answers the left value and whether the comparison holds.</summary>
    public static (double Value, bool Keep) Apply(BinaryOp op, double lhs, double rhs) => op switch
    {
        BinaryOp.Add => (lhs + rhs, true),
        BinaryOp.Sub => (lhs - rhs, true),
        BinaryOp.Mul => (lhs * rhs, true),
        BinaryOp.Div => (lhs / rhs, true),
        BinaryOp.Pow => (Math.Pow(lhs, rhs), true),
        BinaryOp.Mod => (GoMod(lhs, rhs), true),
        BinaryOp.Atan2 => (Math.Atan2(lhs, rhs), true),
        BinaryOp.Eql => (lhs, lhs == rhs),
        BinaryOp.Neq => (lhs, lhs != rhs),
        BinaryOp.Gtr => (lhs, lhs > rhs),
        BinaryOp.Lss => (lhs, lhs < rhs),
        BinaryOp.Gte => (lhs, lhs >= rhs),
        BinaryOp.Lte => (lhs, lhs <= rhs),
        _ => throw new QueryException(QueryErrorType.Execution, $"operator {op} not allowed for scalar operations"),
    };

    /// <summary>True for the operators whose result drops the metric name (arithmetic; not atan2, as in Prometheus 2.42).</summary>
    public static bool DropsMetricName(BinaryOp op) => op is BinaryOp.Add or BinaryOp.Sub or BinaryOp.Mul or BinaryOp.Div
        or BinaryOp.Mod or BinaryOp.Pow;

    /// <summary>True for comparison operators.</summary>
    public static bool IsComparison(BinaryOp op) => op is BinaryOp.Eql or BinaryOp.Neq or BinaryOp.Lss or BinaryOp.Lte or BinaryOp.Gtr or BinaryOp.Gte;

    // Go's math.Mod: the result has the sign of x, like C#'s %, with Mod(±Inf, y) = NaN and Mod(x, ±Inf) = x.
    private static double GoMod(double x, double y)
    {
        if (double.IsInfinity(y) && !double.IsInfinity(x) && !double.IsNaN(x)) return x;
        return x % y;
    }
}
