using Platform.Promql.Series;

namespace Platform.Promql.Storage;

/// <summary>
/// Reads series for the engine over a time range (Prometheus's <c>storage.Querier</c>). The engine asks for
/// each selector once per query, with the widest window its evaluation needs.
/// </summary>
public interface ISeriesQuerier
{
    /// <summary>
    /// Series whose labels match every matcher, with their samples in [minT, maxT] (Unix ms). A querier that would
    /// load more than <paramref name="sampleLimit"/> samples throws <see cref="Engine.QueryException"/> instead of loading them.
    /// </summary>
    IAsyncEnumerable<SeriesData> SelectAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, long sampleLimit, CancellationToken cancellationToken);

    /// <summary>Label names of series with samples in [minT, maxT] that match every matcher (all series when none), sorted.</summary>
    Task<IReadOnlyList<string>> LabelNamesAsync(IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, CancellationToken cancellationToken);

    /// <summary>Values of one label among those series, sorted.</summary>
    Task<IReadOnlyList<string>> LabelValuesAsync(string name, IReadOnlyList<LabelMatcher> matchers, long minT, long maxT, CancellationToken cancellationToken);
}
