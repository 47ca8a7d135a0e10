namespace Platform.Promql.Series;

/// <summary>A series and its samples in time order, as a querier returns them.</summary>
public sealed record SeriesData(Labels Labels, IReadOnlyList<Point> Points);
