namespace Platform.Core.Security;

/// <summary>A stored key, without its secret.</summary>
public sealed record ApiKeyInfo(string Id, string Name, IReadOnlyList<TopicGrant> Grants, long CreatedAt);
