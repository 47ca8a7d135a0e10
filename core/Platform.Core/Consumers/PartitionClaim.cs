using Azure;

namespace Platform.Core.Consumers;

/// <summary>Who processes a partition for a group, until when; the ETag guards every change.</summary>
public sealed record PartitionClaim(int Partition, string Owner, DateTimeOffset ExpiresAt, ETag ETag)
{
    /// <summary>True when the claim still holds at <paramref name="now"/>.</summary>
    public bool IsLive(DateTimeOffset now) => ExpiresAt > now && Owner.Length > 0;
}
