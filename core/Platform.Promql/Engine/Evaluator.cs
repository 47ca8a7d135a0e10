using Platform.Promql.Parser;
using Platform.Promql.Series;

namespace Platform.Promql.Engine;

/// <summary>
/// Evaluates an expression at one step time over the preloaded series: one switch over the AST. Every value it
/// builds carries the step time, except what a vector selector returns (the sample's own time, which
/// <c>timestamp()</c> reads).
/// </summary>
internal sealed class Evaluator
{
    private readonly PreparedQuery _query;
    private readonly long _lookbackMs;
    private readonly CancellationToken _cancellationToken;

    public Evaluator(PreparedQuery query, long lookbackMs, CancellationToken cancellationToken)
    {
        _query = query;
        _lookbackMs = lookbackMs;
        _cancellationToken = cancellationToken;
    }

    public PreparedQuery Query => _query;

    public QueryValue Eval(Expr expr, long ts)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        return expr switch
        {
            NumberLiteral n => new ScalarValue(ts, n.Value),
            StringLiteral s => new StringValue(ts, s.Value),
            ParenExpr p => Eval(p.Inner, ts),
            UnaryExpr u => Negate(Eval(u.Operand, ts)),
            VectorSelector v => new VectorValue(SelectInstant(v, ts)),
            MatrixSelector m => new MatrixValue(SelectRange(m, ts)),
            BinaryExpr b => Unique(Binary.Evaluate(b, Eval(b.Lhs, ts), Eval(b.Rhs, ts), ts)),
            AggregateExpr a => Unique(Aggregations.Evaluate(a, this, ts)),
            FunctionCall c => Unique(Functions.Evaluate(c, this, ts)),
            _ => throw new QueryException(QueryErrorType.BadData, $"unsupported expression: {expr.GetType().Name}"),
        };
    }

    private static QueryValue Unique(QueryValue value) => value is VectorValue v ? Binary.CheckUnique(v) : value;

    public VectorValue EvalVector(Expr expr, long ts) => (VectorValue)Eval(expr, ts);

    public double EvalScalar(Expr expr, long ts) => ((ScalarValue)Eval(expr, ts)).F;

    private static QueryValue Negate(QueryValue value) => value switch
    {
        ScalarValue s => s with { F = -s.F },
        VectorValue v => Binary.CheckUnique(new VectorValue(v.Samples.Select(x => new Sample(x.Metric.DropMetricName(), x.T, -x.F)).ToList())),
        _ => throw new QueryException(QueryErrorType.BadData, "unary minus on a range vector"),
    };

    /// <summary>The newest sample of each series within the lookback window before the selector's time.</summary>
    public List<Sample> SelectInstant(VectorSelector selector, long ts)
    {
        var refTime = _query.AtTime(selector, ts) - selector.OffsetMs;
        var found = new List<Sample>();
        foreach (var (labels, points) in _query.Series(selector))
        {
            var at = LastAtOrBefore(points, refTime);
            if (at < 0) continue;
            var point = points[at];
            // Prometheus 2.x keeps a sample exactly lookback old (a closed window).
            if (point.T < refTime - _lookbackMs || StaleMarker.Is(point.F)) continue;
            found.Add(new Sample(labels, point.T, point.F));
        }
        return found;
    }

    /// <summary>Each series' samples in [time - range, time] (closed at both ends, as in Prometheus 2.x), stale markers left out.</summary>
    public List<SeriesData> SelectRange(MatrixSelector matrix, long ts)
    {
        var selector = matrix.Selector;
        var refTime = _query.AtTime(selector, ts) - selector.OffsetMs;
        var from = refTime - matrix.RangeMs;
        var found = new List<SeriesData>();
        foreach (var (labels, points) in _query.Series(selector))
        {
            var last = LastAtOrBefore(points, refTime);
            if (last < 0) continue;
            var first = last;
            while (first > 0 && points[first - 1].T >= from) first--;
            if (points[first].T < from) continue;
            var window = new List<Point>(last - first + 1);
            for (var i = first; i <= last; i++)
            {
                if (!StaleMarker.Is(points[i].F)) window.Add(points[i]);
            }
            if (window.Count > 0) found.Add(new SeriesData(labels, window));
        }
        return found;
    }

    /// <summary>The range [start, end] of a matrix selector at a step, for extrapolation.</summary>
    public (long Start, long End) RangeBounds(MatrixSelector matrix, long ts)
    {
        var end = _query.AtTime(matrix.Selector, ts) - matrix.Selector.OffsetMs;
        return (end - matrix.RangeMs, end);
    }

    private static int LastAtOrBefore(Point[] points, long t)
    {
        int lo = 0, hi = points.Length - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (points[mid].T <= t) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        return found;
    }
}
