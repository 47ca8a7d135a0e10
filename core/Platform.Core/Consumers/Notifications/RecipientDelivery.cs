using System.Globalization;
using Microsoft.Extensions.Options;
using Platform.Core.Alerting.Routing;
using Platform.Core.Consumers.Notifications.Scheduling;
using Platform.Core.Storage;

namespace Platform.Core.Consumers.Notifications;

/// <summary>
/// One recipient of one notification, from the job and from the dispatcher alike: expired ones are recorded
/// <c>expired</c>, ones with a future <c>notBefore</c> wait, ones with a <c>digestKey</c> join their digest, the rest
/// are sent once. Sending reserves the recipient in the delivery log first (so two handlers never both send), then
/// honours opt-outs and rate limits, then records the outcome after the channel took it. Nothing here holds a
/// partition: whatever must wait comes back as a step to park.
/// </summary>
public sealed class RecipientDelivery(INotificationStore store, INotificationSchedule schedule, NotificationChannels channels, NotificationRateLimiter limiter,
    NotificationOutcomes outcomes, IOptions<NotificationOptions> options, TimeProvider time)
{
    /// <summary>How long to wait when another handler is sending to the recipient right now: a quarter of the sending timeout, 1 to 30 seconds.</summary>
    private TimeSpan BusyWait => TimeSpan.FromTicks(Math.Clamp(options.Value.SendingTimeout.Ticks / 4, TimeSpan.TicksPerSecond, 30 * TimeSpan.TicksPerSecond));

    /// <summary>Delivers to one recipient; <paramref name="render"/> is called only when something is to be rendered now.</summary>
    public async Task<DeliveryStep> DeliverAsync(NotificationMessage message, Func<Task<RenderedNotification>> render, string channel, string recipient,
        DeliveryAttempts attempts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(render);
        var now = time.GetUtcNow();
        if (message.ExpiresAt is { } expires && expires <= now)
        {
            if (!await IsSettledAsync(message.Id, channel, recipient, cancellationToken).ConfigureAwait(false))
            {
                await outcomes.RecordAsync(message.Id, channel, recipient, "expired", $"expired at {expires:O}", cancellationToken).ConfigureAwait(false);
            }
            return DeliveryStep.Done;
        }
        if (message.NotBefore is { } notBefore && notBefore > now)
        {
            if (await IsSettledAsync(message.Id, channel, recipient, cancellationToken).ConfigureAwait(false)) return DeliveryStep.Done;
            await outcomes.RecordAsync(message.Id, channel, recipient, "scheduled", $"not before {notBefore:O}", cancellationToken).ConfigureAwait(false);
            return DeliveryStep.Park(notBefore.ToUnixTimeMilliseconds(), attempts);
        }
        if (message.DigestKey is { } digestKey)
        {
            // A message already merged (or otherwise settled) is not merged again when it is handled again.
            if (await IsSettledAsync(message.Id, channel, recipient, cancellationToken).ConfigureAwait(false)) return DeliveryStep.Done;
            var rendered = await render().ConfigureAwait(false);
            var content = DigestContent.Write(message, rendered);
            // Too large to wait in a digest: sent on its own.
            if (content.Length > DigestContent.MaxBytes) return await SendAsync(message, rendered, channel, recipient, attempts, cancellationToken).ConfigureAwait(false);
            var entry = new DigestEntry(message.Id, content, now.ToUnixTimeMilliseconds());
            var digestId = await schedule.JoinDigestAsync(channel, NotificationOutcomes.Key(channel, recipient), digestKey, entry, now.ToUnixTimeMilliseconds(),
                options.Value.Digest.Window, cancellationToken).ConfigureAwait(false);
            await outcomes.RecordAsync(message.Id, channel, recipient, "merged", $"into digest {digestId}", cancellationToken).ConfigureAwait(false);
            return DeliveryStep.Done;
        }
        return await SendAsync(message, await render().ConfigureAwait(false), channel, recipient, attempts, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends to one recipient once: reserve, opt-out, rate limit, send, record.</summary>
    public async Task<DeliveryStep> SendAsync(NotificationMessage message, RenderedNotification rendered, string channel, string recipient,
        DeliveryAttempts attempts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var key = NotificationOutcomes.Key(channel, recipient);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var reservation = await store.TryReserveAsync(message.Id, channel, key, now, options.Value.SendingTimeout, cancellationToken).ConfigureAwait(false);
        if (reservation == Reservation.Done) return DeliveryStep.Done;
        if (reservation == Reservation.Busy) return DeliveryStep.Park(now + (long)BusyWait.TotalMilliseconds, attempts);
        if (await store.IsOptedOutAsync(channel, recipient, cancellationToken).ConfigureAwait(false))
        {
            await outcomes.RecordAsync(message.Id, channel, recipient, "suppressed", "the recipient opted out of this channel", cancellationToken).ConfigureAwait(false);
            return DeliveryStep.Done;
        }
        var recipientLimit = attempts.BookedSlot != 0 ? RecipientLimit.AlreadyBooked : message.Priority == "high" ? RecipientLimit.CountOnly : RecipientLimit.Book;
        var take = await limiter.TakeAsync(channel, key, recipientLimit, attempts.BookedSlot, cancellationToken).ConfigureAwait(false);
        if (take.WaitUntil is { } waitUntil)
        {
            var at = DateTimeOffset.FromUnixTimeMilliseconds(waitUntil);
            await outcomes.RecordAsync(message.Id, channel, recipient, "delayed", $"rate limit: goes at {at:O}", cancellationToken).ConfigureAwait(false);
            // A later time from the channel limit books nothing; from the recipient's limit it is this send's slot.
            return DeliveryStep.Park(waitUntil, attempts with { BookedSlot = take.Slot });
        }
        var outcome = await channels.SendAsync(message, rendered, channel, recipient, cancellationToken).ConfigureAwait(false);
        // Not delivered: the slot it held does not count against the recipient.
        if (outcome.Status != DeliveryStatus.Sent) await limiter.ReleaseAsync(channel, key, take.Slot, cancellationToken).ConfigureAwait(false);
        switch (outcome.Status)
        {
            case DeliveryStatus.Sent:
                // Not cancellable: a shutdown right after the channel took it must not lose the record that keeps the
                // next handler from sending again.
                await outcomes.RecordAsync(message.Id, channel, recipient, "sent", null, CancellationToken.None).ConfigureAwait(false);
                return DeliveryStep.Done;
            case DeliveryStatus.Permanent:
                await outcomes.RecordAsync(message.Id, channel, recipient, "failed", outcome.Error, cancellationToken).ConfigureAwait(false);
                return DeliveryStep.Done;
            default:
                return await RetryLaterAsync(message.Id, channel, recipient, attempts, outcome, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<DeliveryStep> RetryLaterAsync(string id, string channel, string recipient, DeliveryAttempts attempts, DeliveryOutcome outcome, CancellationToken cancellationToken)
    {
        var retry = options.Value.Retry;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var tried = new DeliveryAttempts(attempts.Count + 1, attempts.FirstAt == 0 ? now : attempts.FirstAt, BookedSlot: 0);
        if (now - tried.FirstAt >= (long)retry.GiveUpAfter.TotalMilliseconds)
        {
            await outcomes.RecordAsync(id, channel, recipient, "failed",
                string.Create(CultureInfo.InvariantCulture, $"gave up after {tried.Count} tries over {retry.GiveUpAfter}: {outcome.Error}"), cancellationToken).ConfigureAwait(false);
            return DeliveryStep.Done;
        }
        // Never past the time it would be given up at: a Retry-After of days is honoured only that far.
        var due = Math.Min(now + (long)RetryBackoff.Delay(tried.Count, outcome.RetryAfter, retry, Random.Shared.NextDouble()).TotalMilliseconds,
            tried.FirstAt + (long)retry.GiveUpAfter.TotalMilliseconds);
        await outcomes.RecordAsync(id, channel, recipient, "retrying",
            string.Create(CultureInfo.InvariantCulture, $"try {tried.Count} failed: {outcome.Error}; next at {DateTimeOffset.FromUnixTimeMilliseconds(due):O}"),
            cancellationToken).ConfigureAwait(false);
        return DeliveryStep.Park(due, tried, outcome.Error);
    }

    /// <summary>True when the recipient has a final outcome or was merged into a digest.</summary>
    private async Task<bool> IsSettledAsync(string id, string channel, string recipient, CancellationToken cancellationToken) =>
        await store.GetDeliveryAsync(id, channel, NotificationOutcomes.Key(channel, recipient), cancellationToken).ConfigureAwait(false) is { } known
        && (NotificationStates.IsFinal(known.State) || known.State == "merged");
}
