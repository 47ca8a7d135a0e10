using System.Runtime.CompilerServices;
using Platform.Core.Metrics.Chunks;
using Platform.Core.Storage;
using Platform.Promql.Engine;
using Platform.Promql.Series;
using Platform.Promql.Storage;

namespace Platform.Core.Metrics.Query;

/// <summary>
/// The engine's view of stored series. A selector with a metric name reads that metric's index partition once and
/// one chunk partition per hour of the range (point reads when it matches ten series or fewer), so a 24-hour query
/// over a metric costs about 25 table queries whatever its number of series. A selector without a name (or with a
/// regex on it) reads the whole index first.
/// </summary>
public sealed class StoredSeriesQuerier(IMetricStore store) : ISeriesQuerier
{
    /// <inheritdoc />
    public async IAsyncEnumerable<SeriesData> SelectAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, long sampleLimit,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var series = await MatchingAsync(matchers, minT, maxT, cancellationToken).ConfigureAwait(false);
        long loaded = 0;
        foreach (var byMetric in series.GroupBy(s => s.Metric, StringComparer.Ordinal))
        {
            var wanted = byMetric.ToDictionary(s => s.Id, StringComparer.Ordinal);
            var points = wanted.Keys.ToDictionary(id => id, _ => new List<Point>(), StringComparer.Ordinal);
            // Only the hours some matched series has samples in: the range asked may be far wider (up to 292 years).
            var firstBlock = Math.Max(TimeBlocks.Start(minT), wanted.Values.Min(s => s.FirstBlock));
            var lastBlock = Math.Min(maxT, wanted.Values.Max(s => s.LastBlock));
            for (var block = firstBlock; block <= lastBlock; block += TimeBlocks.Length)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var ids = wanted.Values.Where(s => s.FirstBlock <= block && s.LastBlock >= block).Select(s => s.Id).ToList();
                if (ids.Count == 0) continue;
                var chunks = await store.ReadChunksAsync(byMetric.Key, block, ids.Count == wanted.Count ? null : ids, cancellationToken).ConfigureAwait(false);
                foreach (var chunk in chunks)
                {
                    if (!points.TryGetValue(chunk.SeriesId, out var list)) continue;
                    foreach (var point in ChunkCodec.Decode(chunk.Block, chunk.Data))
                    {
                        if (point.T < minT || point.T > maxT) continue;
                        if (++loaded > sampleLimit) throw QueryEngine.TooManySamples();
                        list.Add(point);
                    }
                }
            }
            foreach (var (id, list) in points.OrderBy(p => wanted[p.Key].Labels, LabelsOrder.Instance))
            {
                if (list.Count > 0) yield return new SeriesData(wanted[id].Labels, list);
            }
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, CancellationToken cancellationToken)
    {
        var series = await MatchingAsync(matchers, minT, maxT, cancellationToken).ConfigureAwait(false);
        return series.SelectMany(s => s.Labels.Items.ToArray().Select(l => l.Name)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, CancellationToken cancellationToken)
    {
        var series = await MatchingAsync(matchers, minT, maxT, cancellationToken).ConfigureAwait(false);
        return series.Select(s => s.Labels.Get(name)).Where(v => v.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Index entries that match every matcher and have a block overlapping [minT, maxT].</summary>
    public async Task<List<StoredSeries>> MatchingAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(matchers);
        var name = matchers.FirstOrDefault(m => m.Name == Labels.MetricName && m.Type == MatcherType.Equal)?.Value;
        var candidates = await store.ListSeriesAsync(name, cancellationToken).ConfigureAwait(false);
        var firstBlock = TimeBlocks.Start(minT);
        return candidates.Where(s => s.LastBlock >= firstBlock && s.FirstBlock <= maxT && matchers.All(m => m.Matches(s.Labels))).ToList();
    }

    private sealed class LabelsOrder : IComparer<Labels>
    {
        public static readonly LabelsOrder Instance = new();

        public int Compare(Labels? x, Labels? y) => Labels.Compare(x!, y!);
    }
}
