namespace Platform.Core.Storage;

/// <summary>
/// One recipient of a notification waiting for its time (<c>notBefore</c>, a retry's back-off, a rate limit), or a
/// digest gathering messages for one recipient. <see cref="Message"/> holds a single message's JSON; a digest's messages
/// are its entries. <see cref="Version"/> is the stored version (null before the first write); <see cref="BookedSlot"/>
/// is the slot it booked under the recipient's rate limit (0: none).
/// </summary>
public sealed record PendingDelivery(
    string Id,
    string Channel,
    string Recipient,
    string? DigestKey,
    long Due,
    int Attempts,
    long FirstTriedAt,
    string? LastError,
    bool Gathering,
    ReadOnlyMemory<byte> Message,
    string? Version,
    long BookedSlot = 0)
{
    /// <summary>True for a digest (many messages to one recipient), false for one recipient of one message.</summary>
    public bool IsDigest => DigestKey is not null;
}

/// <summary>One message of a digest: its id and the rendered parts (JSON) it contributes.</summary>
public sealed record DigestEntry(string MessageId, ReadOnlyMemory<byte> Content, long At);

/// <summary>
/// Where notifications wait without holding their partition: single recipients parked until a time, and digests
/// gathering messages until their window closes. Every change to an item is made at its version, so two dispatchers
/// racing for one item see a lost race as a value, and a digest never takes a message once it stopped gathering.
/// </summary>
public interface INotificationSchedule
{
    /// <summary>Parks one recipient of a message, unless it is parked already (a redelivered message leaves the waiting one as it is).</summary>
    Task ParkAsync(PendingDelivery item, CancellationToken cancellationToken);

    /// <summary>Whether one recipient of a message is parked (waiting for its time).</summary>
    Task<bool> IsParkedAsync(string id, string channel, string recipient, CancellationToken cancellationToken);

    /// <summary>Items due at or before <paramref name="now"/> (milliseconds since the epoch), earliest first, at most <paramref name="max"/>.</summary>
    Task<IReadOnlyList<PendingDelivery>> DueAsync(long now, int max, CancellationToken cancellationToken);

    /// <summary>Replaces an item at its version (a new due time, a digest closed): the new version, or null when it changed since.</summary>
    Task<string?> TryUpdateAsync(PendingDelivery item, CancellationToken cancellationToken);

    /// <summary>Removes an item at its version, with a digest's entries: false when it changed since.</summary>
    Task<bool> TryRemoveAsync(PendingDelivery item, CancellationToken cancellationToken);

    /// <summary>
    /// Adds a message to the digest gathering for (channel, recipient, digest key), opening one due at
    /// <paramref name="now"/> + <paramref name="window"/> when none gathers (a gathering one past its due time is closed
    /// first): the digest's id. At most one digest gathers per (channel, recipient, key). A message that joined a
    /// digest before, while that digest is still kept, is not added again: the id of the digest it is in.
    /// </summary>
    Task<string> JoinDigestAsync(string channel, string recipient, string digestKey, DigestEntry entry, long now, TimeSpan window, CancellationToken cancellationToken);

    /// <summary>Stops a digest gathering, at its version: the closed digest's new version, or null when it changed since (a message joined).</summary>
    Task<string?> TryCloseDigestAsync(PendingDelivery digest, CancellationToken cancellationToken);

    /// <summary>The entries of a digest, in the order they joined.</summary>
    Task<IReadOnlyList<DigestEntry>> DigestEntriesAsync(PendingDelivery digest, CancellationToken cancellationToken);
}
