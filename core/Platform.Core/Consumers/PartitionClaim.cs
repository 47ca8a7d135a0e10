namespace Platform.Core.Consumers;

/// <summary>
/// Who processes a partition for a group. Expiry is judged on the storage's clock alone: the claim was last written at
/// <paramref name="LastModified"/> (the storage's time) and lasts <paramref name="Duration"/> from then, so instances whose
/// own clocks disagree still agree on who holds what. The version guards every change.
/// </summary>
public sealed record PartitionClaim(int Partition, string Owner, DateTimeOffset LastModified, TimeSpan Duration, string Version)
{
    /// <summary>When the claim lapses, on the storage's clock.</summary>
    public DateTimeOffset ExpiresAt => LastModified + Duration;

    /// <summary>True when the claim still holds at <paramref name="storageNow"/> (a time read from the storage).</summary>
    public bool IsLive(DateTimeOffset storageNow) => Owner.Length > 0 && ExpiresAt > storageNow;
}

/// <summary>A member of a group, alive until its heartbeat lapses (on the storage's clock).</summary>
public sealed record GroupMember(string Id, DateTimeOffset LastModified, TimeSpan Duration)
{
    /// <summary>True when the member's last heartbeat still holds at <paramref name="storageNow"/>.</summary>
    public bool IsLive(DateTimeOffset storageNow) => LastModified + Duration > storageNow;
}

/// <summary>Every claim and member of a group on a topic, with the storage's time when they were read.</summary>
public sealed record OwnershipSnapshot(IReadOnlyList<PartitionClaim> Claims, IReadOnlyList<GroupMember> Members, DateTimeOffset StorageNow)
{
    /// <summary>The ids of the members alive at the snapshot's time.</summary>
    public IReadOnlyList<string> LiveMembers => [.. Members.Where(m => m.IsLive(StorageNow)).Select(m => m.Id)];
}
