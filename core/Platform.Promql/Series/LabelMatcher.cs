using System.Text.RegularExpressions;

namespace Platform.Promql.Series;

/// <summary>A label matcher. Regexes are fully anchored, as in Prometheus; an absent label matches as "".</summary>
public sealed class LabelMatcher
{
    private readonly Regex? _regex;

    /// <summary>Builds a matcher; a bad regex throws <see cref="ArgumentException"/>.</summary>
    public LabelMatcher(MatcherType type, string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        Type = type;
        Name = name;
        Value = value;
        if (type is MatcherType.Regex or MatcherType.NotRegex)
        {
            _regex = PromRegex.Anchored(value);
        }
    }

    /// <summary>The comparison.</summary>
    public MatcherType Type { get; }

    /// <summary>The label name.</summary>
    public string Name { get; }

    /// <summary>The value or pattern.</summary>
    public string Value { get; }

    /// <summary>True when a label value (or "" for an absent label) matches.</summary>
    public bool Matches(string value) => Type switch
    {
        MatcherType.Equal => string.Equals(value, Value, StringComparison.Ordinal),
        MatcherType.NotEqual => !string.Equals(value, Value, StringComparison.Ordinal),
        MatcherType.Regex => _regex!.IsMatch(value),
        _ => !_regex!.IsMatch(value),
    };

    /// <summary>True when a series' labels match.</summary>
    public bool Matches(Labels labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return Matches(labels.Get(Name));
    }

    /// <summary>True when this matcher also matches the empty value (so it cannot select series on its own).</summary>
    public bool MatchesEmpty => Matches("");

    /// <inheritdoc />
    public override string ToString()
    {
        var op = Type switch { MatcherType.Equal => "=", MatcherType.NotEqual => "!=", MatcherType.Regex => "=~", _ => "!~" };
        return Name + op + "\"" + Value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }
}
