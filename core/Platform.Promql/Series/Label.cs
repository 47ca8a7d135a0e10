namespace Platform.Promql.Series;

/// <summary>One label: a name and its value.</summary>
public readonly record struct Label(string Name, string Value);
