using Platform.Core.Storage;

namespace Platform.Core.Consumers.Notifications;

/// <summary>
/// The delivery job, a consumer of the notifications topic: validates each message (a bad one is dead-lettered with
/// the reason, recorded <c>rejected</c> when it has an id, and the partition moves on), renders it, and hands each
/// recipient to <see cref="RecipientDelivery"/>. Whatever must wait (<c>notBefore</c>, a retry's back-off, a rate
/// limit, another handler sending it) is parked in the schedule before the offset is committed, so one slow
/// recipient never holds the partition and a crash loses nothing: the message is handled again, and the delivery
/// log keeps its sends single.
/// </summary>
public sealed class NotificationDeliveryJob(INotificationStore store, INotificationSchedule schedule, RecipientDelivery delivery, NotificationOutcomes outcomes,
    TimeProvider time)
    : IConsumerHandler
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<RecordFailure>> HandleAsync(ConsumerBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var failures = new List<RecordFailure>();
        foreach (var record in batch.Records)
        {
            var value = record.Value ?? ReadOnlyMemory<byte>.Empty;
            var (message, error) = NotificationSchema.Validate(value);
            if (message is null)
            {
                await RejectAsync(record, value, error!, failures, cancellationToken).ConfigureAwait(false);
                continue;
            }
            RenderedNotification? rendered = null;
            string? renderError = null;
            async Task<RenderedNotification> RenderOnceAsync()
            {
                if (rendered is null && renderError is null) (rendered, renderError) = await NotificationRendering.RenderAsync(store, message, cancellationToken).ConfigureAwait(false);
                return rendered ?? throw new NotificationRenderException(renderError!);
            }
            try
            {
                // Rendered up front (unless expired) so a missing or broken template is refused now, not when its time comes.
                if (message.ExpiresAt is not { } expires || expires > time.GetUtcNow()) await RenderOnceAsync().ConfigureAwait(false);
                foreach (var (channel, recipient) in message.To.All())
                {
                    // Handled again while it waits (a crash, a retried batch): the waiting one keeps its time, tries and slot.
                    if (await schedule.IsParkedAsync(message.Id, channel, recipient, cancellationToken).ConfigureAwait(false)) continue;
                    var step = await delivery.DeliverAsync(message, RenderOnceAsync, channel, recipient, DeliveryAttempts.None, cancellationToken).ConfigureAwait(false);
                    if (!step.Finished)
                    {
                        await schedule.ParkAsync(new PendingDelivery(message.Id, channel, recipient, null, step.Due, step.Attempts.Count, step.Attempts.FirstAt,
                            step.LastError, false, value, null, step.Attempts.BookedSlot), cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            catch (NotificationRenderException e)
            {
                await RenderFailedAsync(record, value, message, e.Message, failures, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // This record only (storage trouble, most likely): the runtime tries it again (recipients already
                // settled or parked are skipped then); if it keeps failing the partition waits for the next run.
                failures.Add(new RecordFailure(record.Offset, $"{e.GetType().Name}: {e.Message}", Retriable: true));
            }
        }
        return failures;
    }

    /// <summary>
    /// A template missing or failing: the message is dead-lettered. If some of its recipients were handled before (the
    /// template was deleted since), the others are <c>failed</c> with the reason rather than left without an outcome.
    /// </summary>
    private async Task RenderFailedAsync(Log.LogRecord record, ReadOnlyMemory<byte> value, NotificationMessage message, string error, List<RecordFailure> failures,
        CancellationToken cancellationToken)
    {
        var known = (await store.ListDeliveriesAsync(message.Id, cancellationToken).ConfigureAwait(false)).Where(d => d.Channel.Length > 0).ToList();
        if (known.Count == 0)
        {
            await RejectAsync(record, value, error, failures, cancellationToken).ConfigureAwait(false);
            return;
        }
        failures.Add(new RecordFailure(record.Offset, error, Retriable: false));
        foreach (var (channel, recipient) in message.To.All())
        {
            var key = NotificationOutcomes.Key(channel, recipient);
            if (known.Exists(d => d.Channel == channel && d.Recipient == key && (NotificationStates.IsFinal(d.State) || d.State == "merged"))) continue;
            await outcomes.RecordAsync(message.Id, channel, recipient, "failed", error, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RejectAsync(Log.LogRecord record, ReadOnlyMemory<byte> value, string error, List<RecordFailure> failures, CancellationToken cancellationToken)
    {
        failures.Add(new RecordFailure(record.Offset, error, Retriable: false));
        if (NotificationSchema.TryReadId(value) is { } id) await outcomes.RecordAsync(id, "", "", "rejected", error, cancellationToken).ConfigureAwait(false);
    }
}
