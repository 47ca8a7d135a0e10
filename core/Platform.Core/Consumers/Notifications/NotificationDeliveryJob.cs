using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Platform.Core.Alerting.Routing;
using Platform.Core.Log;
using Platform.Core.Log.Appending;
using Platform.Core.Log.Topics;
using Platform.Core.Storage;

namespace Platform.Core.Consumers.Notifications;

/// <summary>
/// The delivery job: validates each message (a bad one is dead-lettered with the reason and the partition moves on),
/// drops expired ones, renders templates, and sends to each recipient once. Before sending it looks up the delivery
/// log for (id, recipient); after the channel took the message it records it — so redelivery after a crash, a retry
/// or another instance does not send again, except in the one window between a channel accepting and the record
/// being written. Outcomes go to the delivery log (<c>GET /api/notifications/{id}</c>) and the status topic.
/// Retriable failures pause the partition (no commit) and are tried again on the next run.
/// </summary>
public sealed class NotificationDeliveryJob(INotificationStore store, NotificationChannels channels, LogProducer producer, TopicManager topics,
    IOptions<NotificationOptions> options, TimeProvider time) : IConsumerHandler
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <inheritdoc />
    public async Task<IReadOnlyList<RecordFailure>> HandleAsync(ConsumerBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var failures = new List<RecordFailure>();
        foreach (var record in batch.Records)
        {
            var (message, error) = NotificationSchema.Validate(record.Value ?? ReadOnlyMemory<byte>.Empty);
            if (message is null)
            {
                failures.Add(new RecordFailure(record.Offset, error!, Retriable: false));
                continue;
            }
            var now = time.GetUtcNow();
            if (message.ExpiresAt is { } expires && expires <= now)
            {
                foreach (var (channel, recipient) in message.To.All())
                {
                    var known = await store.GetDeliveryAsync(message.Id, channel, Key(channel, recipient), cancellationToken).ConfigureAwait(false);
                    if (known is not null && NotificationStates.IsFinal(known.State)) continue;
                    await RecordAsync(message.Id, channel, recipient, "expired", $"expired at {expires:O}", cancellationToken).ConfigureAwait(false);
                }
                continue;
            }
            var rendered = await RenderAsync(message, cancellationToken).ConfigureAwait(false);
            if (rendered.Error is not null)
            {
                failures.Add(new RecordFailure(record.Offset, rendered.Error, Retriable: false));
                continue;
            }
            foreach (var (channel, recipient) in message.To.All())
            {
                // Reserve before sending: a copy of the message being handled elsewhere right now waits its turn.
                var reservation = await store.TryReserveAsync(message.Id, channel, Key(channel, recipient), time.GetUtcNow().ToUnixTimeMilliseconds(),
                    SendingStaleAfter, cancellationToken).ConfigureAwait(false);
                if (reservation == Reservation.Done) continue;
                if (reservation == Reservation.Busy)
                {
                    failures.Add(new RecordFailure(record.Offset, $"{channel} {recipient}: being sent by another handler", Retriable: true));
                    continue;
                }
                if (await store.IsOptedOutAsync(channel, recipient, cancellationToken).ConfigureAwait(false))
                {
                    await RecordAsync(message.Id, channel, recipient, "suppressed", "the recipient opted out of this channel", cancellationToken).ConfigureAwait(false);
                    continue;
                }
                var outcome = await channels.SendAsync(message, rendered.Notification!, channel, recipient, cancellationToken).ConfigureAwait(false);
                switch (outcome.Status)
                {
                    case DeliveryStatus.Sent:
                        // Not cancellable: a lost claim or a shutdown right after the channel took it must not lose the
                        // record that keeps the next owner from sending again.
                        await RecordAsync(message.Id, channel, recipient, "sent", null, CancellationToken.None).ConfigureAwait(false);
                        break;
                    case DeliveryStatus.Permanent:
                        await RecordAsync(message.Id, channel, recipient, "failed", outcome.Error, cancellationToken).ConfigureAwait(false);
                        break;
                    default:
                        await RecordAsync(message.Id, channel, recipient, "retrying", outcome.Error, cancellationToken).ConfigureAwait(false);
                        failures.Add(new RecordFailure(record.Offset, $"{channel} {recipient}: {outcome.Error}", Retriable: true));
                        break;
                }
            }
        }
        return failures;
    }

    private async Task<(RenderedNotification? Notification, string? Error)> RenderAsync(NotificationMessage message, CancellationToken cancellationToken)
    {
        if (message.Template is null) return (new RenderedNotification(message.Subject ?? "", message.Body?.Text, message.Body?.Html), null);
        var template = await store.GetTemplateAsync(message.Template, cancellationToken).ConfigureAwait(false);
        if (template is null) return (null, $"template '{message.Template}' does not exist");
        try
        {
            return (NotificationTemplates.Render(template, message.Data), null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return (null, $"template '{message.Template}' failed to render: {e.Message}");
        }
    }

    /// <summary>How long a <c>sending</c> reservation holds before another handler may take it over (its sender is gone).</summary>
    private static readonly TimeSpan SendingStaleAfter = TimeSpan.FromMinutes(2);

    /// <summary>The delivery log's key of a recipient: e-mail addresses compare without case.</summary>
    private static string Key(string channel, string recipient) => channel == "email" ? recipient.ToLowerInvariant() : recipient;

    private async Task RecordAsync(string id, string channel, string recipient, string state, string? reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await store.PutDeliveryAsync(new DeliveryRecord(id, channel, Key(channel, recipient), state, reason, now), cancellationToken).ConfigureAwait(false);
        var topic = options.Value.StatusTopic;
        await topics.EnsureAsync(new TopicConfig { Name = topic, Partitions = 1 }, cancellationToken).ConfigureAwait(false);
        var status = JsonSerializer.SerializeToUtf8Bytes(new { id, channel, recipient, state, reason, at = DateTimeOffset.FromUnixTimeMilliseconds(now) }, Json);
        await producer.ProduceAsync(topic, [new ProduceRecord { Key = Encoding.UTF8.GetBytes(id), Value = status }], cancellationToken).ConfigureAwait(false);
    }
}
