namespace Platform.Promql.Series;

/// <summary>How a label matcher compares: <c>=</c>, <c>!=</c>, <c>=~</c>, <c>!~</c>.</summary>
public enum MatcherType
{
    /// <summary><c>=</c></summary>
    Equal,
    /// <summary><c>!=</c></summary>
    NotEqual,
    /// <summary><c>=~</c></summary>
    Regex,
    /// <summary><c>!~</c></summary>
    NotRegex,
}
