using System.Runtime.CompilerServices;
using Platform.Promql.Series;

namespace Platform.Promql.Storage;

/// <summary>Series held in memory: the twin of the stored series for engine tests, and a query's working set.</summary>
public sealed class InMemorySeriesStore : ISeriesQuerier
{
    private readonly Dictionary<Labels, List<Point>> _series = [];
    private readonly Lock _gate = new();

    /// <summary>Adds a sample; samples of one series may come in any order, a repeated timestamp keeps the last value.</summary>
    public void Add(Labels labels, long t, double value)
    {
        ArgumentNullException.ThrowIfNull(labels);
        lock (_gate)
        {
            if (!_series.TryGetValue(labels, out var points)) _series[labels] = points = [];
            var at = points.Count;
            while (at > 0 && points[at - 1].T > t) at--;
            if (at > 0 && points[at - 1].T == t) points[at - 1] = new Point(t, value);
            else points.Insert(at, new Point(t, value));
        }
    }

    /// <summary>How many series are held.</summary>
    public int SeriesCount
    {
        get { lock (_gate) return _series.Count; }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<SeriesData> SelectAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, long sampleLimit,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long loaded = 0;
        foreach (var series in Snapshot(matchers, minT, maxT))
        {
            cancellationToken.ThrowIfCancellationRequested();
            loaded += series.Points.Count;
            if (loaded > sampleLimit) throw Engine.QueryEngine.TooManySamples();
            yield return series;
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> names = Snapshot(matchers, minT, maxT).SelectMany(s => s.Labels.Items.ToArray().Select(l => l.Name))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return Task.FromResult(names);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> values = Snapshot(matchers, minT, maxT).Select(s => s.Labels.Get(name)).Where(v => v.Length > 0)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return Task.FromResult(values);
    }

    private List<SeriesData> Snapshot(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT)
    {
        var found = new List<SeriesData>();
        lock (_gate)
        {
            foreach (var (labels, points) in _series)
            {
                if (!matchers.All(m => m.Matches(labels))) continue;
                var window = points.Where(p => p.T >= minT && p.T <= maxT).ToArray();
                if (window.Length > 0) found.Add(new SeriesData(labels, window));
            }
        }
        found.Sort((a, b) => Labels.Compare(a.Labels, b.Labels));
        return found;
    }
}
