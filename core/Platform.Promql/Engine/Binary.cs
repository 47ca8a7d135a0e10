using Platform.Promql.Parser;
using Platform.Promql.Series;

namespace Platform.Promql.Engine;

/// <summary>Binary operators between scalars and vectors, with Prometheus's vector matching (<c>VectorBinop</c>, <c>VectorAnd/Or/Unless</c>).</summary>
internal static class Binary
{
    public static QueryValue Evaluate(BinaryExpr expr, QueryValue lhs, QueryValue rhs, long ts)
    {
        switch (lhs, rhs)
        {
            case (ScalarValue l, ScalarValue r):
                var (value, keep) = BinaryArithmetic.Apply(expr.Op, l.F, r.F);
                return new ScalarValue(ts, BinaryArithmetic.IsComparison(expr.Op) ? (keep ? 1 : 0) : value);
            case (VectorValue l, ScalarValue r):
                return VectorScalar(expr, l, r.F, swap: false, ts);
            case (ScalarValue l, VectorValue r):
                return VectorScalar(expr, r, l.F, swap: true, ts);
            case (VectorValue l, VectorValue r):
                var matching = expr.Matching ?? new VectorMatching(Cardinality.OneToOne, [], false, []);
                return expr.Op switch
                {
                    BinaryOp.And => And(l, r, matching),
                    BinaryOp.Or => Or(l, r, matching),
                    BinaryOp.Unless => Unless(l, r, matching),
                    _ => VectorVector(expr, l, r, matching, ts),
                };
            default:
                throw new QueryException(QueryErrorType.BadData, "binary expression must contain only scalar and instant vector types");
        }
    }

    private static VectorValue VectorScalar(BinaryExpr expr, VectorValue vector, double scalar, bool swap, long ts)
    {
        var output = new List<Sample>(vector.Samples.Count);
        var dropName = BinaryArithmetic.DropsMetricName(expr.Op) || expr.ReturnBool;
        foreach (var sample in vector.Samples)
        {
            double lv = sample.F, rv = scalar;
            if (swap) (lv, rv) = (rv, lv);
            var (value, keep) = BinaryArithmetic.Apply(expr.Op, lv, rv);
            // A comparison with the scalar on the left still answers the vector's value.
            if (BinaryArithmetic.IsComparison(expr.Op) && swap) value = rv;
            if (expr.ReturnBool) value = keep ? 1 : 0;
            else if (!keep) continue;
            output.Add(new Sample(dropName ? sample.Metric.DropMetricName() : sample.Metric, ts, value));
        }
        return new VectorValue(output);
    }

    private static VectorValue VectorVector(BinaryExpr expr, VectorValue lhsValue, VectorValue rhsValue, VectorMatching matching, long ts)
    {
        IReadOnlyList<Sample> lhs = lhsValue.Samples, rhs = rhsValue.Samples;
        // For one-to-many, swap sides so the right is always the "one" side, and swap values back when applying.
        if (matching.Card == Cardinality.OneToMany) (lhs, rhs) = (rhs, lhs);
        var rightBySignature = new Dictionary<Labels, Sample>();
        foreach (var rs in rhs)
        {
            var signature = Signature(rs.Metric, matching);
            if (rightBySignature.TryGetValue(signature, out var duplicate))
            {
                var side = matching.Card == Cardinality.OneToMany ? "left" : "right";
                throw new QueryException(QueryErrorType.Execution,
                    $"found duplicate series for the match group {signature} on the {side} hand-side of the operation: [{rs.Metric}, {duplicate.Metric}];many-to-many matching not allowed: matching labels must be unique on one side");
            }
            rightBySignature[signature] = rs;
        }
        var matched = new Dictionary<Labels, HashSet<Labels>?>();
        var output = new List<Sample>();
        foreach (var ls in lhs)
        {
            var signature = Signature(ls.Metric, matching);
            if (!rightBySignature.TryGetValue(signature, out var rs)) continue;
            double fl = ls.F, fr = rs.F;
            if (matching.Card == Cardinality.OneToMany) (fl, fr) = (fr, fl);
            var (value, keep) = BinaryArithmetic.Apply(expr.Op, fl, fr);
            if (expr.ReturnBool) value = keep ? 1 : 0;
            else if (!keep) continue;
            var metric = ResultMetric(ls.Metric, rs.Metric, expr.Op, matching);
            if (expr.ReturnBool) metric = metric.DropMetricName();
            var exists = matched.TryGetValue(signature, out var inserted);
            if (matching.Card == Cardinality.OneToOne)
            {
                if (exists)
                {
                    throw new QueryException(QueryErrorType.Execution,
                        "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
                }
                matched[signature] = null;
            }
            else
            {
                if (!exists || inserted is null) matched[signature] = inserted = [];
                if (!inserted.Add(metric))
                {
                    throw new QueryException(QueryErrorType.Execution, "multiple matches for labels: grouping labels must ensure unique matches");
                }
            }
            output.Add(new Sample(metric, ts, value));
        }
        return new VectorValue(output);
    }

    private static Labels ResultMetric(Labels lhs, Labels rhs, BinaryOp op, VectorMatching matching)
    {
        var metric = BinaryArithmetic.DropsMetricName(op) ? lhs.DropMetricName() : lhs;
        if (matching.Card == Cardinality.OneToOne)
        {
            metric = matching.On ? metric.Keep([.. matching.MatchingLabels]) : metric.Without([.. matching.MatchingLabels]);
        }
        foreach (var name in matching.Include)
        {
            // Labels named in group_x(...) come from the "one" side.
            metric = metric.With(name, rhs.Get(name));
        }
        return metric;
    }

    /// <summary>The labels a series is matched on: the <c>on</c> list, or all but the <c>ignoring</c> list and the name.</summary>
    public static Labels Signature(Labels labels, VectorMatching matching) => matching.On
        ? labels.Keep([.. matching.MatchingLabels])
        : labels.Without([.. matching.MatchingLabels, Labels.MetricName]);

    private static VectorValue And(VectorValue lhs, VectorValue rhs, VectorMatching matching)
    {
        var right = rhs.Samples.Select(s => Signature(s.Metric, matching)).ToHashSet();
        return new VectorValue(lhs.Samples.Where(s => right.Contains(Signature(s.Metric, matching))).ToList());
    }

    private static VectorValue Or(VectorValue lhs, VectorValue rhs, VectorMatching matching)
    {
        var left = lhs.Samples.Select(s => Signature(s.Metric, matching)).ToHashSet();
        return new VectorValue(lhs.Samples.Concat(rhs.Samples.Where(s => !left.Contains(Signature(s.Metric, matching)))).ToList());
    }

    private static VectorValue Unless(VectorValue lhs, VectorValue rhs, VectorMatching matching)
    {
        var right = rhs.Samples.Select(s => Signature(s.Metric, matching)).ToHashSet();
        return new VectorValue(lhs.Samples.Where(s => !right.Contains(Signature(s.Metric, matching))).ToList());
    }

    /// <summary>Fails when dropping names left two samples with one label set (Prometheus: "vector cannot contain metrics with the same labelset").</summary>
    public static VectorValue CheckUnique(VectorValue vector)
    {
        var seen = new HashSet<Labels>();
        foreach (var sample in vector.Samples)
        {
            if (!seen.Add(sample.Metric)) throw new QueryException(QueryErrorType.Execution, "vector cannot contain metrics with the same labelset");
        }
        return vector;
    }
}
