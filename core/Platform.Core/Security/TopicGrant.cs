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
    public string? Validate() => Resource == GrantResource.Group
        ? Validate(Pattern, "group", Consumers.GroupName.Validate)
        : Validate(Pattern, "topic", Log.Topics.TopicName.Validate);

    /// <summary>Null when <paramref name="pattern"/> is <c>*</c>, <c>prefix.*</c> or a topic name; otherwise why not (it could never match).</summary>
    public static string? Validate(string? pattern) => Validate(pattern, "topic", Log.Topics.TopicName.Validate);

    private static string? Validate(string? pattern, string resource, Func<string, string?> validName)
    {
        if (pattern == "*")
        {
            return null;
        }

        if (string.IsNullOrEmpty(pattern))
        {
            return $"A grant needs a {resource} pattern: '*', 'prefix.*' or a {resource} name.";
        }

        bool prefix = pattern.EndsWith(".*", StringComparison.Ordinal);
        if (pattern.AsSpan(0, prefix ? pattern.Length - 1 : pattern.Length).Contains('*'))
        {
            return $"{char.ToUpperInvariant(resource[0])}{resource[1..]} pattern '{pattern}' is not '*', 'prefix.*' or a {resource} name ('team*' would be ambiguous: write 'team.*').";
        }

        // A prefix pattern must be able to match a valid name: try one.
        string example = prefix ? pattern[..^1] + "x" : pattern;
        return validName(example) is { } problem ? $"{char.ToUpperInvariant(resource[0])}{resource[1..]} pattern '{pattern}' can never match a {resource}: {problem}" : null;
    }
}
