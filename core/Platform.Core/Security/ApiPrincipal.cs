namespace Platform.Core.Security;

/// <summary>Who a request's key belongs to and what it may do.</summary>
public sealed record ApiPrincipal(string KeyId, string Name, IReadOnlyList<TopicGrant> Grants)
{
    /// <summary>True when some grant allows <paramref name="operation"/> on <paramref name="topic"/>.</summary>
    public bool Allows(ApiOperation operation, string? topic) =>
        Grants.Any(g => (g.Operations & operation) == operation && g.Matches(topic));
}
