namespace Platform.Promql.Series;

/// <summary>One sample of a series: a time in Unix milliseconds and a float value.</summary>
public readonly record struct Point(long T, double F);
