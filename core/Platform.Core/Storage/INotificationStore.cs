using Platform.Core.Consumers.Notifications;

namespace Platform.Core.Storage;

/// <summary>One recipient's outcome of one notification: sent, failed (with why), expired.</summary>
public sealed record DeliveryRecord(string Id, string Channel, string Recipient, string State, string? Reason, long UpdatedAt);

/// <summary>What reserving a recipient before sending came to.</summary>
public enum Reservation
{
    /// <summary>This caller may send now.</summary>
    Reserved,
    /// <summary>The recipient has a final outcome (sent, failed, expired, suppressed): nothing to do.</summary>
    Done,
    /// <summary>Another caller is sending to it right now: try again later.</summary>
    Busy,
}

/// <summary>Notification templates, and the delivery log by (notification id, recipient) that keeps sends single.</summary>
public interface INotificationStore
{
    /// <summary>Creates or replaces a template.</summary>
    Task PutTemplateAsync(NotificationTemplate notificationTemplate, CancellationToken cancellationToken);

    /// <summary>A template, or null.</summary>
    Task<NotificationTemplate?> GetTemplateAsync(string name, CancellationToken cancellationToken);

    /// <summary>The outcome recorded for one recipient of a notification, or null.</summary>
    Task<DeliveryRecord?> GetDeliveryAsync(string id, string channel, string recipient, CancellationToken cancellationToken);

    /// <summary>
    /// Reserves a recipient before sending: a new row <c>sending</c>, or one left <c>retrying</c> (or <c>sending</c> for
    /// longer than <paramref name="staleAfter"/>, its sender gone) taken over on its version. A final outcome is
    /// <see cref="Reservation.Done"/>; a fresh <c>sending</c> row of another caller is <see cref="Reservation.Busy"/>.
    /// </summary>
    Task<Reservation> TryReserveAsync(string id, string channel, string recipient, long now, TimeSpan staleAfter, CancellationToken cancellationToken);

    /// <summary>
    /// Records an outcome. A final one (sent, failed, expired, suppressed) is written whatever is there; any other
    /// never replaces a final one (written at the version read, so a final outcome landing in between wins).
    /// </summary>
    Task PutDeliveryAsync(DeliveryRecord record, CancellationToken cancellationToken);

    /// <summary>Whether a recipient opted out of a channel.</summary>
    Task<bool> IsOptedOutAsync(string channel, string recipient, CancellationToken cancellationToken);

    /// <summary>Records (or withdraws, with <paramref name="optedOut"/> false) a recipient's opt-out of a channel.</summary>
    Task SetOptOutAsync(string channel, string recipient, bool optedOut, CancellationToken cancellationToken);

    /// <summary>Every outcome of a notification.</summary>
    Task<IReadOnlyList<DeliveryRecord>> ListDeliveriesAsync(string id, CancellationToken cancellationToken);
}
