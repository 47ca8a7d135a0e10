namespace Platform.Core.Security;

/// <summary>Operations allowed on topics whose name matches <see cref="Pattern"/> (<c>*</c>, <c>prefix.*</c> or an exact name).</summary>
public sealed record TopicGrant(string Pattern, ApiOperation Operations)
{
    /// <summary>True when the pattern covers <paramref name="topic"/> (null: the platform itself, only <c>*</c> covers it).</summary>
    public bool Matches(string? topic) =>
        Pattern == "*" || (topic is not null && (Pattern.EndsWith('*')
            ? topic.StartsWith(Pattern[..^1], StringComparison.Ordinal)
            : string.Equals(Pattern, topic, StringComparison.Ordinal)));
}
