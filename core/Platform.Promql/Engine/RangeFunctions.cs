using Platform.Promql.Parser;
using Platform.Promql.Series;

namespace Platform.Promql.Engine;

/// <summary>Functions over a range vector: one output sample per series with samples in the window.</summary>
internal static class RangeFunctions
{
    public static VectorValue Evaluate(FunctionCall call, Evaluator ev, long ts)
    {
        var name = call.Function.Name;
        var matrixArg = name == "quantile_over_time" ? 1 : 0;
        var matrix = Functions.Unwrap(call.Args[matrixArg]) as MatrixSelector
            ?? throw new QueryException(QueryErrorType.BadData, $"{name}() needs a range vector selector such as x[5m] (subqueries are not supported)");
        var q = name == "quantile_over_time" ? ev.EvalScalar(call.Args[0], ts) : 0;
        var (rangeStart, rangeEnd) = ev.RangeBounds(matrix, ts);
        var rangeSeconds = matrix.RangeMs / 1000.0;
        var output = new List<Sample>();
        foreach (var series in ev.SelectRange(matrix, ts))
        {
            var points = series.Points;
            double? value = name switch
            {
                "rate" => ExtrapolatedRate(points, rangeStart, rangeEnd, rangeSeconds, isCounter: true, isRate: true),
                "increase" => ExtrapolatedRate(points, rangeStart, rangeEnd, rangeSeconds, isCounter: true, isRate: false),
                "delta" => ExtrapolatedRate(points, rangeStart, rangeEnd, rangeSeconds, isCounter: false, isRate: false),
                "irate" => InstantValue(points, isRate: true),
                "idelta" => InstantValue(points, isRate: false),
                "deriv" => points.Count < 2 ? null : LinearRegression(points, points[0].T).Slope,
                "resets" => Resets(points),
                "changes" => Changes(points),
                "avg_over_time" => Average(points),
                "min_over_time" => points.Aggregate(points[0].F, (m, p) => p.F < m || double.IsNaN(m) ? p.F : m),
                "max_over_time" => points.Aggregate(points[0].F, (m, p) => p.F > m || double.IsNaN(m) ? p.F : m),
                "sum_over_time" => points.Aggregate(0.0, (s, p) => s + p.F),
                "count_over_time" => points.Count,
                "last_over_time" => points[^1].F,
                "present_over_time" => 1,
                "stddev_over_time" => Math.Sqrt(Variance(points)),
                "stdvar_over_time" => Variance(points),
                "quantile_over_time" => Aggregations.Quantile(q, points.Select(p => p.F).ToList()),
                _ => throw new QueryException(QueryErrorType.BadData, $"function \"{name}\" is not supported by this engine"),
            };
            if (value is null) continue;
            // last_over_time answers a sample of the series itself, so it keeps the metric name.
            var metric = name == "last_over_time" ? series.Labels : series.Labels.DropMetricName();
            output.Add(new Sample(metric, ts, value.Value));
        }
        return new VectorValue(output);
    }

    /// <summary>rate, increase and delta: Prometheus 2.x's extrapolation to the range boundaries.</summary>
    private static double? ExtrapolatedRate(IReadOnlyList<Point> points, long rangeStart, long rangeEnd, double rangeSeconds, bool isCounter, bool isRate)
    {
        if (points.Count < 2) return null;
        var first = points[0];
        var last = points[^1];
        var result = last.F - first.F;
        if (isCounter)
        {
            var lastValue = 0.0;
            foreach (var point in points)
            {
                if (point.F < lastValue) result += lastValue;
                lastValue = point.F;
            }
        }
        var durationToStart = (first.T - rangeStart) / 1000.0;
        var durationToEnd = (rangeEnd - last.T) / 1000.0;
        var sampledInterval = (last.T - first.T) / 1000.0;
        var averageBetweenSamples = sampledInterval / (points.Count - 1);
        if (isCounter && result > 0 && first.F >= 0)
        {
            // A counter cannot go below zero: extrapolate no further back than where it would have been zero.
            var durationToZero = sampledInterval * (first.F / result);
            if (durationToZero < durationToStart) durationToStart = durationToZero;
        }
        var threshold = averageBetweenSamples * 1.1;
        var extrapolateTo = sampledInterval;
        extrapolateTo += durationToStart < threshold ? durationToStart : averageBetweenSamples / 2;
        extrapolateTo += durationToEnd < threshold ? durationToEnd : averageBetweenSamples / 2;
        var factor = extrapolateTo / sampledInterval;
        if (isRate) factor /= rangeSeconds;
        return result * factor;
    }

    private static double? InstantValue(IReadOnlyList<Point> points, bool isRate)
    {
        if (points.Count < 2) return null;
        var last = points[^1];
        var previous = points[^2];
        var result = isRate && last.F < previous.F ? last.F : last.F - previous.F;
        var interval = last.T - previous.T;
        if (interval == 0) return null;
        if (isRate) result /= interval / 1000.0;
        return result;
    }

    private static double Resets(IReadOnlyList<Point> points)
    {
        var resets = 0;
        for (var i = 1; i < points.Count; i++)
        {
            if (points[i].F < points[i - 1].F) resets++;
        }
        return resets;
    }

    private static double Changes(IReadOnlyList<Point> points)
    {
        var changes = 0;
        for (var i = 1; i < points.Count; i++)
        {
            double current = points[i].F, previous = points[i - 1].F;
            if (current != previous && !(double.IsNaN(current) && double.IsNaN(previous))) changes++;
        }
        return changes;
    }

    private static double Average(IReadOnlyList<Point> points)
    {
        double mean = 0, count = 0;
        foreach (var point in points)
        {
            count++;
            if (double.IsInfinity(mean))
            {
                if (double.IsInfinity(point.F) && (mean > 0) == (point.F > 0)) continue;
                if (!double.IsInfinity(point.F) && !double.IsNaN(point.F)) continue;
            }
            mean += point.F / count - mean / count;
        }
        return mean;
    }

    private static double Variance(IReadOnlyList<Point> points)
    {
        double count = 0, mean = 0, cMean = 0, aux = 0, cAux = 0;
        foreach (var point in points)
        {
            count++;
            var delta = point.F - (mean + cMean);
            (mean, cMean) = KahanAdd(delta / count, mean, cMean);
            (aux, cAux) = KahanAdd(delta * (point.F - (mean + cMean)), aux, cAux);
        }
        return (aux + cAux) / count;
    }

    /// <summary>Least-squares fit of value over time (seconds from <paramref name="interceptTime"/>), Kahan-summed.</summary>
    internal static (double Slope, double Intercept) LinearRegression(IReadOnlyList<Point> points, long interceptTime)
    {
        double n = 0, sumX = 0, cX = 0, sumY = 0, cY = 0, sumXY = 0, cXY = 0, sumX2 = 0, cX2 = 0;
        var initY = points[0].F;
        var constY = true;
        for (var i = 0; i < points.Count; i++)
        {
            var point = points[i];
            if (constY && i > 0 && point.F != initY) constY = false;
            n++;
            var x = (point.T - interceptTime) / 1e3;
            (sumX, cX) = KahanAdd(x, sumX, cX);
            (sumY, cY) = KahanAdd(point.F, sumY, cY);
            (sumXY, cXY) = KahanAdd(x * point.F, sumXY, cXY);
            (sumX2, cX2) = KahanAdd(x * x, sumX2, cX2);
        }
        if (constY) return double.IsInfinity(initY) ? (double.NaN, double.NaN) : (0, initY);
        sumX += cX;
        sumY += cY;
        sumXY += cXY;
        sumX2 += cX2;
        var covXY = sumXY - sumX * sumY / n;
        var varX = sumX2 - sumX * sumX / n;
        var slope = covXY / varX;
        return (slope, sumY / n - slope * sumX / n);
    }

    private static (double Sum, double C) KahanAdd(double inc, double sum, double c)
    {
        var t = sum + inc;
        // Neumaier's improvement: whichever operand is larger keeps its low-order bits.
        if (Math.Abs(sum) >= Math.Abs(inc)) c += (sum - t) + inc;
        else c += (inc - t) + sum;
        return (t, c);
    }
}
