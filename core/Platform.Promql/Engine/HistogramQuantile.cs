using Platform.Promql.Api;
using Platform.Promql.Series;

namespace Platform.Promql.Engine;

/// <summary><c>histogram_quantile</c> over classic <c>_bucket{le}</c> series (Prometheus's <c>bucketQuantile</c>).</summary>
internal static class HistogramQuantile
{
    private static readonly string[] Bucket = ["le"];
    private static readonly string[] Excluded = [Labels.MetricName, "le"];

    public static VectorValue Evaluate(double q, VectorValue input, long ts)
    {
        var groups = new Dictionary<Labels, List<(double UpperBound, double Count)>>();
        var order = new List<Labels>();
        foreach (var sample in input.Samples)
        {
            var le = sample.Metric.Get("le");
            if (le.Length == 0 || !PromFloat.TryParse(le, out var upperBound)) continue;
            // Prometheus keys buckets by every label but le (two histograms of different names stay apart).
            var key = sample.Metric.Without(Bucket);
            if (!groups.TryGetValue(key, out var buckets))
            {
                groups[key] = buckets = [];
                order.Add(key);
            }
            buckets.Add((upperBound, sample.F));
        }
        return new VectorValue(order.Select(key => new Sample(key.Without(Excluded), ts, BucketQuantile(q, groups[key]))).ToList());
    }

    private static double BucketQuantile(double q, List<(double UpperBound, double Count)> buckets)
    {
        if (double.IsNaN(q)) return double.NaN;
        if (q < 0) return double.NegativeInfinity;
        if (q > 1) return double.PositiveInfinity;
        buckets.Sort((a, b) => a.UpperBound.CompareTo(b.UpperBound));
        if (!double.IsPositiveInfinity(buckets[^1].UpperBound)) return double.NaN;
        var merged = new List<(double UpperBound, double Count)>();
        foreach (var bucket in buckets)
        {
            if (merged.Count > 0 && merged[^1].UpperBound == bucket.UpperBound) merged[^1] = (bucket.UpperBound, merged[^1].Count + bucket.Count);
            else merged.Add(bucket);
        }
        var max = double.NegativeInfinity;
        for (var i = 0; i < merged.Count; i++)
        {
            if (merged[i].Count > max) max = merged[i].Count;
            else if (merged[i].Count < max) merged[i] = (merged[i].UpperBound, max);
        }
        if (merged.Count < 2) return double.NaN;
        var observations = merged[^1].Count;
        if (observations == 0) return double.NaN;
        var rank = q * observations;
        var b = 0;
        while (b < merged.Count - 1 && merged[b].Count < rank) b++;
        if (b == merged.Count - 1) return merged[^2].UpperBound;
        if (b == 0 && merged[0].UpperBound <= 0) return merged[0].UpperBound;
        var bucketStart = 0.0;
        var bucketEnd = merged[b].UpperBound;
        var count = merged[b].Count;
        if (b > 0)
        {
            bucketStart = merged[b - 1].UpperBound;
            count -= merged[b - 1].Count;
            rank -= merged[b - 1].Count;
        }
        return bucketStart + (bucketEnd - bucketStart) * (rank / count);
    }
}
