using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Platform.Core.Log;
using Platform.Core.Log.Appending;
using Platform.Core.Log.Topics;
using Platform.Core.Storage;

namespace Platform.Core.Consumers.Notifications;

/// <summary>
/// Records what became of one recipient of a notification: in the delivery log (<c>GET /api/notifications/{id}</c>),
/// as a record on the status topic, and in the platform's own metrics.
/// </summary>
public sealed class NotificationOutcomes(INotificationStore store, LogProducer producer, TopicManager topics, IOptions<NotificationOptions> options,
    NotificationTelemetry telemetry, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>The delivery log's key of a recipient: e-mail addresses compare without case.</summary>
    public static string Key(string channel, string recipient)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        return channel == "email" ? recipient.ToLowerInvariant() : recipient;
    }

    /// <summary>Records an outcome (last writer wins) and publishes it.</summary>
    public async Task RecordAsync(string id, string channel, string recipient, string state, string? reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await store.PutDeliveryAsync(new DeliveryRecord(id, channel, Key(channel, recipient), state, reason, now), cancellationToken).ConfigureAwait(false);
        var topic = options.Value.StatusTopic;
        await topics.EnsureAsync(new TopicConfig { Name = topic, Partitions = 1 }, cancellationToken).ConfigureAwait(false);
        var status = JsonSerializer.SerializeToUtf8Bytes(new { id, channel, recipient, state, reason, at = DateTimeOffset.FromUnixTimeMilliseconds(now) }, Json);
        await producer.ProduceAsync(topic, [new ProduceRecord { Key = Encoding.UTF8.GetBytes(id), Value = status }], cancellationToken).ConfigureAwait(false);
        telemetry.Outcome(channel, state);
    }
}
