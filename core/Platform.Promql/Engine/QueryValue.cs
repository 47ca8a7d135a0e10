using Platform.Promql.Series;

namespace Platform.Promql.Engine;

/// <summary>What an expression evaluates to at one time.</summary>
public abstract record QueryValue;

/// <summary>A number.</summary>
public sealed record ScalarValue(long T, double F) : QueryValue;

/// <summary>A string.</summary>
public sealed record StringValue(long T, string Value) : QueryValue;

/// <summary>An instant vector.</summary>
public sealed record VectorValue(IReadOnlyList<Sample> Samples) : QueryValue;

/// <summary>A range vector (or a range query's result): series with their points.</summary>
public sealed record MatrixValue(IReadOnlyList<SeriesData> Series) : QueryValue;
