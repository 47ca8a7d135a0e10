using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Core.Storage;

namespace Platform.Core.Consumers.Notifications.Scheduling;

/// <summary>
/// Takes up what waits in the schedule once it is due: a parked recipient goes through <see cref="RecipientDelivery"/>
/// again (and is parked again or removed), a digest stops gathering, is rendered and sent once to its recipient, and
/// each message in it gets the digest's outcome. Every change is made at the item's version, so two dispatchers
/// racing for one item do not both act on it, and the delivery log's reservation keeps sends single whatever happens.
/// </summary>
public sealed partial class NotificationDispatcher(INotificationSchedule schedule, INotificationStore store, RecipientDelivery delivery, NotificationOutcomes outcomes,
    NotificationTelemetry telemetry, IOptions<NotificationOptions> options, TimeProvider time, ILogger<NotificationDispatcher> logger)
{
    private const int BatchSize = 200;

    /// <summary>Items handled at once.</summary>
    private const int Concurrency = 8;

    /// <summary>Handles what is due now, eight at a time; returns how many items moved on (sent, re-parked, removed), not lost races.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken cancellationToken)
    {
        var due = await schedule.DueAsync(time.GetUtcNow().ToUnixTimeMilliseconds(), BatchSize, cancellationToken).ConfigureAwait(false);
        var progressed = 0;
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken }, async (item, ct) =>
        {
            var current = new Current(item);
            try
            {
                var moved = current.Item.IsDigest ? await DigestAsync(current, ct).ConfigureAwait(false) : await SingleAsync(item, ct).ConfigureAwait(false);
                if (moved) Interlocked.Increment(ref progressed);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // One item's trouble must not hold the others, nor come straight back: it counts as a failed try and waits its back-off.
                LogItemFailed(logger, e, item.Id, item.Channel);
                if (await FailedTryAsync(current.Item, e, ct).ConfigureAwait(false)) Interlocked.Increment(ref progressed);
            }
        }).ConfigureAwait(false);
        telemetry.Dispatched(progressed);
        return progressed;
    }

    private async Task<bool> FailedTryAsync(PendingDelivery item, Exception error, CancellationToken cancellationToken)
    {
        try
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var first = item.FirstTriedAt == 0 ? now : item.FirstTriedAt;
            if (now - first >= (long)options.Value.Retry.GiveUpAfter.TotalMilliseconds)
            {
                var reason = $"gave up after {item.Attempts + 1} tries: {error.Message}";
                await outcomes.RecordAsync(item.Id, item.Channel, item.Recipient, "failed", reason, cancellationToken).ConfigureAwait(false);
                if (item.IsDigest && !item.Gathering)
                {
                    // Every message in it gets that outcome too, before its entries go.
                    foreach (var entry in await schedule.DigestEntriesAsync(item, cancellationToken).ConfigureAwait(false))
                    {
                        await outcomes.RecordAsync(entry.MessageId, item.Channel, item.Recipient, "failed", $"in digest {item.Id}: {reason}", cancellationToken).ConfigureAwait(false);
                    }
                }
                return await schedule.TryRemoveAsync(item, cancellationToken).ConfigureAwait(false);
            }
            var delay = RetryBackoff.Delay(item.Attempts + 1, null, options.Value.Retry, Random.Shared.NextDouble());
            return await schedule.TryUpdateAsync(item with { Due = now + (long)delay.TotalMilliseconds, Attempts = item.Attempts + 1, FirstTriedAt = first, LastError = error.Message },
                cancellationToken).ConfigureAwait(false) is not null;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogItemFailed(logger, e, item.Id, item.Channel);
            return false;
        }
    }

    private async Task<bool> SingleAsync(PendingDelivery item, CancellationToken cancellationToken)
    {
        var (message, error) = NotificationSchema.Validate(item.Message);
        if (message is null)
        {
            await outcomes.RecordAsync(item.Id, item.Channel, item.Recipient, "failed", error, cancellationToken).ConfigureAwait(false);
            return await schedule.TryRemoveAsync(item, cancellationToken).ConfigureAwait(false);
        }
        DeliveryStep step;
        try
        {
            step = await delivery.DeliverAsync(message, () => RenderAsync(message, cancellationToken), item.Channel, item.Recipient,
                new DeliveryAttempts(item.Attempts, item.FirstTriedAt, item.BookedSlot), cancellationToken).ConfigureAwait(false);
        }
        catch (NotificationRenderException e)
        {
            await outcomes.RecordAsync(item.Id, item.Channel, item.Recipient, "failed", e.Message, cancellationToken).ConfigureAwait(false);
            step = DeliveryStep.Done;
        }
        return await SettleAsync(item, step, cancellationToken).ConfigureAwait(false);
    }

    private async Task<RenderedNotification> RenderAsync(NotificationMessage message, CancellationToken cancellationToken)
    {
        var (rendered, error) = await NotificationRendering.RenderAsync(store, message, cancellationToken).ConfigureAwait(false);
        // The template was there when the message was taken in; gone or broken since, the message cannot be sent.
        return rendered ?? throw new NotificationRenderException(error!);
    }

    /// <summary>A digest: closed (at its version), rendered and sent once; <paramref name="current"/> follows the item as it changes, for the caller's failure path.</summary>
    private async Task<bool> DigestAsync(Current current, CancellationToken cancellationToken)
    {
        var item = current.Item;
        if (item.Gathering)
        {
            // Stop gathering first, at the version read: a message joining in between makes this lose, and it is tried next time.
            if (await schedule.TryCloseDigestAsync(item, cancellationToken).ConfigureAwait(false) is not { } version) return false;
            item = current.Item = item with { Gathering = false, Version = version };
        }
        var entries = await schedule.DigestEntriesAsync(item, cancellationToken).ConfigureAwait(false);
        if (entries.Count == 0) return await schedule.TryRemoveAsync(item, cancellationToken).ConfigureAwait(false);
        var contents = entries.Select(e => DigestContent.Read(e.Content)).ToList();
        var data = DigestRenderer.Data(item.DigestKey!, contents);
        var rendered = await RenderDigestAsync(data, cancellationToken).ConfigureAwait(false);
        var message = new NotificationMessage(item.Id, new NotificationRecipients(null, null, null), null, data, rendered.Subject, null, null, null);
        var step = await delivery.SendAsync(message, rendered, item.Channel, item.Recipient, new DeliveryAttempts(item.Attempts, item.FirstTriedAt, item.BookedSlot), cancellationToken)
            .ConfigureAwait(false);
        if (step.Finished)
        {
            // Each message in the digest gets the digest's outcome: also what keeps a message handled again from joining another digest.
            var outcome = await store.GetDeliveryAsync(item.Id, item.Channel, NotificationOutcomes.Key(item.Channel, item.Recipient), cancellationToken).ConfigureAwait(false);
            foreach (var content in contents)
            {
                await outcomes.RecordAsync(content.Id, item.Channel, item.Recipient, outcome?.State ?? "sent", $"in digest {item.Id}", CancellationToken.None).ConfigureAwait(false);
            }
        }
        return await SettleAsync(item, step, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The configured digest template; the built-in list when it is missing or fails on this digest.</summary>
    private async Task<RenderedNotification> RenderDigestAsync(System.Text.Json.JsonElement data, CancellationToken cancellationToken)
    {
        var template = await store.GetTemplateAsync(options.Value.Digest.Template, cancellationToken).ConfigureAwait(false);
        try
        {
            return DigestRenderer.Render(template, data);
        }
        catch (Exception e) when (template is not null && e is not OperationCanceledException)
        {
            LogDigestTemplateFailed(logger, e, template.Name);
            return DigestRenderer.Render(null, data);
        }
    }

    private async Task<bool> SettleAsync(PendingDelivery item, DeliveryStep step, CancellationToken cancellationToken)
    {
        if (step.Finished) return await schedule.TryRemoveAsync(item, CancellationToken.None).ConfigureAwait(false);
        return await schedule.TryUpdateAsync(item with
        {
            Due = step.Due, Attempts = step.Attempts.Count, FirstTriedAt = step.Attempts.FirstAt, LastError = step.LastError ?? item.LastError, BookedSlot = step.Attempts.BookedSlot,
        }, cancellationToken).ConfigureAwait(false) is not null;
    }

    /// <summary>The item as it stands (a closed digest has a new version), for the failure path.</summary>
    private sealed class Current(PendingDelivery item)
    {
        public PendingDelivery Item { get; set; } = item;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The digest template {Template} failed on a digest; it was sent with the built-in list")]
    private static partial void LogDigestTemplateFailed(ILogger logger, Exception exception, string template);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A parked notification {Id} ({Channel}) could not be handled; it is tried again on the next dispatch")]
    private static partial void LogItemFailed(ILogger logger, Exception exception, string id, string channel);
}
