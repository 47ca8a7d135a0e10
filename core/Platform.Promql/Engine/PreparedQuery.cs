using Platform.Promql.Parser;
using Platform.Promql.Series;

namespace Platform.Promql.Engine;

/// <summary>A parsed query with the series each selector needs already loaded: what the evaluator steps through.</summary>
internal sealed class PreparedQuery
{
    private readonly Dictionary<Expr, List<(Labels Labels, Point[] Points)>> _loaded = new(ReferenceEqualityComparer.Instance);

    public PreparedQuery(Expr expr, long start, long end, long step)
    {
        Expr = expr;
        Start = start;
        End = end;
        Step = step;
    }

    public Expr Expr { get; }

    public long Start { get; }

    public long End { get; }

    public long Step { get; }

    /// <summary>The time a selector is evaluated at for step time <paramref name="ts"/>, before its offset.</summary>
    public long AtTime(VectorSelector selector, long ts) => selector.At switch
    {
        AtKind.Timestamp => selector.AtMs,
        AtKind.Start => Start,
        AtKind.End => End,
        _ => ts,
    };

    public void Store(VectorSelector selector, List<(Labels Labels, Point[] Points)> series) => _loaded[selector] = series;

    public List<(Labels Labels, Point[] Points)> Series(VectorSelector selector) => _loaded[selector];

    /// <summary>Every vector selector in the query with the widest [minT, maxT] any step reads from it.</summary>
    public IEnumerable<(VectorSelector Selector, long MinT, long MaxT)> Windows(long lookbackMs)
    {
        foreach (var (selector, range) in Selectors(Expr))
        {
            var first = AtTime(selector, Start) - selector.OffsetMs;
            var last = AtTime(selector, End) - selector.OffsetMs;
            yield return (selector, Math.Min(first, last) - (range > 0 ? range : lookbackMs), Math.Max(first, last));
        }
    }

    private static IEnumerable<(VectorSelector, long)> Selectors(Expr expr)
    {
        switch (expr)
        {
            case VectorSelector v:
                yield return (v, 0);
                break;
            case MatrixSelector m:
                yield return (m.Selector, m.RangeMs);
                break;
            case ParenExpr p:
                foreach (var s in Selectors(p.Inner)) yield return s;
                break;
            case UnaryExpr u:
                foreach (var s in Selectors(u.Operand)) yield return s;
                break;
            case BinaryExpr b:
                foreach (var s in Selectors(b.Lhs).Concat(Selectors(b.Rhs))) yield return s;
                break;
            case AggregateExpr a:
                foreach (var s in Selectors(a.Inner).Concat(a.Param is null ? [] : Selectors(a.Param))) yield return s;
                break;
            case FunctionCall c:
                foreach (var s in c.Args.SelectMany(Selectors)) yield return s;
                break;
        }
    }
}
