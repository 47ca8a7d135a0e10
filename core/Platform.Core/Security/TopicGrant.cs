namespace Platform.Core.Security;

/// <summary>What a grant is on: topics, or consumer groups (as Kafka's authorizer has both resources).</summary>
public enum GrantResource
{
    /// <summary>Topics: produce, consume, admin.</summary>
    Topic,

    /// <summary>Consumer groups: consume (read its offsets and lag, commit as it) and admin (reset it).</summary>
    Group,
}

/// <summary>
/// Operations allowed on the topics (or, with <see cref="Resource"/> = <see cref="GrantResource.Group"/>, the consumer
/// groups) whose name matches <see cref="Pattern"/> (<c>*</c>, <c>prefix.*</c> or an exact name).
/// </summary>
public sealed record TopicGrant(string Pattern, ApiOperation Operations, GrantResource Resource = GrantResource.Topic)
{
    /// <summary>
    /// True when the pattern covers <paramref name="topic"/> (null: the platform itself, only <c>*</c> covers it).
    /// <c>prefix.*</c> covers names that start with <c>prefix.</c>, dot included: <c>team.*</c> never covers <c>teamb.x</c>.
    /// </summary>
    public bool Matches(string? topic) =>
        Pattern == "*" || (topic is not null && (Pattern.EndsWith(".*", StringComparison.Ordinal)
            ? topic.StartsWith(Pattern[..^1], StringComparison.Ordinal)
            : string.Equals(Pattern, topic, StringComparison.Ordinal)));

    /// <summary>Null when this grant's pattern is <c>*</c>, <c>prefix.*</c> or a name of its resource; otherwise why not (it could never match).</summary>
    public string? Validate() => Resource == GrantResource.Group ? ValidateGroup(Pattern) : Validate(Pattern);

    /// <summary>Null when <paramref name="pattern"/> is <c>*</c>, <c>prefix.*</c> or a group name; otherwise why not.</summary>
    public static string? ValidateGroup(string? pattern)
    {
        if (pattern == "*")
        {
            return null;
        }

        if (string.IsNullOrEmpty(pattern))
        {
            return "A group grant needs a group pattern: '*', 'prefix.*' or a group name.";
        }

        bool prefix = pattern.EndsWith(".*", StringComparison.Ordinal);
        if (pattern.AsSpan(0, prefix ? pattern.Length - 1 : pattern.Length).Contains('*'))
        {
            return $"Group pattern '{pattern}' is not '*', 'prefix.*' or a group name ('team*' would be ambiguous: write 'team.*').";
        }

        string example = prefix ? pattern[..^1] + "x" : pattern;
        return Consumers.GroupName.Validate(example) is { } problem ? $"Group pattern '{pattern}' can never match a group: {problem}" : null;
    }

    /// <summary>Null when <paramref name="pattern"/> is <c>*</c>, <c>prefix.*</c> or a topic name; otherwise why not (it could never match).</summary>
    public static string? Validate(string? pattern)
    {
        if (pattern == "*")
        {
            return null;
        }

        if (string.IsNullOrEmpty(pattern))
        {
            return "A grant needs a topic pattern: '*', 'prefix.*' or a topic name.";
        }

        bool prefix = pattern.EndsWith(".*", StringComparison.Ordinal);
        if (pattern.AsSpan(0, prefix ? pattern.Length - 1 : pattern.Length).Contains('*'))
        {
            return $"Topic pattern '{pattern}' is not '*', 'prefix.*' or a topic name ('team*' would be ambiguous: write 'team.*').";
        }

        // A prefix pattern must be able to match a valid name: try one.
        string example = prefix ? pattern[..^1] + "x" : pattern;
        return Log.Topics.TopicName.Validate(example) is { } problem ? $"Topic pattern '{pattern}' can never match a topic: {problem}" : null;
    }
}
