namespace Platform.Core.Security;

/// <summary>Who a request's key belongs to and what it may do.</summary>
public sealed record ApiPrincipal(string KeyId, string Name, IReadOnlyList<TopicGrant> Grants)
{
    /// <summary>
    /// True when some grant allows <paramref name="operation"/> on <paramref name="topic"/>. Dead-letter topics
    /// (<c>….dlq</c>) belong to the platform: producing to one needs a grant that names it, or <c>*</c>; a prefix
    /// grant such as <c>otlp.*</c> does not silently cover <c>otlp.logs.dlq</c>.
    /// </summary>
    public bool Allows(ApiOperation operation, string? topic)
    {
        bool producesToDeadLetter = (operation & ApiOperation.Produce) != 0 && IsDeadLetter(topic);
        return Grants.Any(g => g.Resource == GrantResource.Topic && (g.Operations & operation) == operation && g.Matches(topic) && (!producesToDeadLetter || g.Pattern == "*" || g.Pattern == topic));
    }

    /// <summary>True when some topic grant, for any operation, covers <paramref name="topic"/> (it is listed to this key).</summary>
    public bool Sees(string topic) => Grants.Any(g => g.Resource == GrantResource.Topic && g.Matches(topic));

    /// <summary>True when some group grant allows <paramref name="operation"/> on consumer group <paramref name="group"/>.</summary>
    public bool AllowsGroup(ApiOperation operation, string group) =>
        Grants.Any(g => g.Resource == GrantResource.Group && (g.Operations & operation) == operation && g.Matches(group));

    private static bool IsDeadLetter(string? topic) => topic?.EndsWith(".dlq", StringComparison.Ordinal) == true;
}
