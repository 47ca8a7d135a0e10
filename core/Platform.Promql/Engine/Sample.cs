using Platform.Promql.Series;

namespace Platform.Promql.Engine;

/// <summary>One element of an instant vector: a series' labels, a value, and the time the value was sampled.</summary>
public readonly record struct Sample(Labels Metric, long T, double F);
