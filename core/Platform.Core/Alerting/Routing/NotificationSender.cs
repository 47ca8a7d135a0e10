using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Platform.Core.Alerting.Templates;
using Platform.Core.Log;
using Platform.Core.Log.Appending;
using Platform.Core.Log.Topics;

namespace Platform.Core.Alerting.Routing;

/// <summary>
/// Sends a group notification to a receiver's integrations: webhooks (Alertmanager's webhook payload, version 4, so
/// existing receivers work; signed with <c>X-Platform-Signature: t=…,v1=HMAC-SHA256(key, "t.body")</c> when a key is
/// set; <c>Idempotency-Key</c> = the notification's id), Slack-compatible incoming webhooks, and e-mail handed to the
/// notification delivery topic (the router does not speak SMTP).
/// </summary>
public sealed class NotificationSender(HttpClient http, IConfiguration configuration, LogProducer producer, TopicManager topics, IOptions<AlertingOptions> options, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>The integration keys of a receiver (what <see cref="Notification.Done"/> records).</summary>
    public static IEnumerable<string> Integrations(Receiver receiver)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        for (var i = 0; i < receiver.Webhooks.Count; i++) yield return string.Create(CultureInfo.InvariantCulture, $"webhook/{i}");
        for (var i = 0; i < receiver.Slacks.Count; i++) yield return string.Create(CultureInfo.InvariantCulture, $"slack/{i}");
        for (var i = 0; i < receiver.Emails.Count; i++) yield return string.Create(CultureInfo.InvariantCulture, $"email/{i}");
    }

    /// <summary>Sends one notification to one integration of the receiver.</summary>
    public async Task<DeliveryOutcome> SendAsync(Notification notification, Receiver receiver, string integration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        ArgumentNullException.ThrowIfNull(receiver);
        ArgumentNullException.ThrowIfNull(integration);
        var kind = integration.Split('/')[0];
        var index = int.Parse(integration.AsSpan(integration.IndexOf('/', StringComparison.Ordinal) + 1), CultureInfo.InvariantCulture);
        // Firing or resolved as it was when the group flushed: a notification delivered late says what it said then.
        var now = notification.CreatedAt;
        try
        {
            return kind switch
            {
                "webhook" => await WebhookAsync(notification, receiver.Webhooks[index], now, cancellationToken).ConfigureAwait(false),
                "slack" => await SlackAsync(notification, receiver.Slacks[index], now, cancellationToken).ConfigureAwait(false),
                _ => await EmailAsync(notification, receiver.Emails[index], now, cancellationToken).ConfigureAwait(false),
            };
        }
        catch (LogException e) when (e.Kind is LogErrorKind.RecordTooLarge or LogErrorKind.InvalidRequest)
        {
            return new DeliveryOutcome(DeliveryStatus.Permanent, null, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Network trouble, a time-out, storage throttling: try again later.
            return new DeliveryOutcome(DeliveryStatus.Retriable, null, e.Message);
        }
    }

    /// <summary>Alertmanager's webhook payload (version 4) for a notification.</summary>
    public object Payload(Notification notification, bool sendResolved, long now)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var alerts = notification.Alerts.Where(a => sendResolved || !a.IsResolved(now)).ToList();
        var common = alerts.Count == 0 ? new Dictionary<string, string>() : alerts[0].Labels.Where(l => alerts.All(a => a.Labels.GetValueOrDefault(l.Key) == l.Value)).ToDictionary(l => l.Key, l => l.Value);
        var commonAnnotations = alerts.Count == 0 ? new Dictionary<string, string>() : alerts[0].Annotations.Where(l => alerts.All(a => a.Annotations.GetValueOrDefault(l.Key) == l.Value)).ToDictionary(l => l.Key, l => l.Value);
        return new
        {
            version = "4",
            groupKey = notification.GroupKey,
            truncatedAlerts = 0,
            status = notification.Status,
            receiver = notification.Receiver,
            groupLabels = notification.GroupLabels,
            commonLabels = common,
            commonAnnotations,
            externalURL = options.Value.ExternalUrl,
            alerts = alerts.Select(a => new
            {
                status = a.IsResolved(now) ? "resolved" : "firing",
                labels = a.Labels,
                annotations = a.Annotations,
                startsAt = Time(a.StartsAt),
                endsAt = a.IsResolved(now) ? Time(a.EndsAt) : "0001-01-01T00:00:00Z",
                generatorURL = a.GeneratorUrl,
                fingerprint = a.Fingerprint,
            }),
        };
    }

    private async Task<DeliveryOutcome> WebhookAsync(Notification notification, WebhookTarget target, long now, CancellationToken cancellationToken)
    {
        if (!target.SendResolved && notification.Alerts.All(a => a.IsResolved(now))) return new DeliveryOutcome(DeliveryStatus.Sent);
        var body = JsonSerializer.SerializeToUtf8Bytes(Payload(notification, target.SendResolved, now));
        using var request = new HttpRequestMessage(HttpMethod.Post, target.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add("Idempotency-Key", notification.Id);
        if (target.HmacSecretSetting is { } setting)
        {
            var key = configuration[setting];
            // Empty: perhaps a Key Vault reference not resolved yet; wait rather than send unsigned or drop.
            if (string.IsNullOrEmpty(key)) return new DeliveryOutcome(DeliveryStatus.Retriable, null, $"the HMAC key setting '{setting}' is empty");
            request.Headers.Add("X-Platform-Signature", Signature(key, time.GetUtcNow().ToUnixTimeSeconds(), body));
        }
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return Outcome(response);
    }

    /// <summary>The signature header's value: <c>t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of "t.body"&gt;</c>.</summary>
    public static string Signature(string key, long unixSeconds, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var t = unixSeconds.ToString(CultureInfo.InvariantCulture);
        var signed = Encoding.UTF8.GetBytes(t + ".").Concat(body).ToArray();
        return $"t={t},v1={Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), signed))}";
    }

    private async Task<DeliveryOutcome> SlackAsync(Notification notification, SlackTarget target, long now, CancellationToken cancellationToken)
    {
        if (!target.SendResolved && notification.Alerts.All(a => a.IsResolved(now))) return new DeliveryOutcome(DeliveryStatus.Sent);
        var text = target.Text is { } template
            ? PromTemplate.Expand(template, new TemplateData(notification.GroupLabels, notification.Alerts.Count, new Dictionary<string, string>(), options.Value.ExternalUrl))
            : DefaultText(notification, now);
        using var response = await http.PostAsJsonAsync(target.ApiUrl, new { text, channel = target.Channel }, Json, cancellationToken).ConfigureAwait(false);
        return Outcome(response);
    }

    private async Task<DeliveryOutcome> EmailAsync(Notification notification, EmailTarget target, long now, CancellationToken cancellationToken)
    {
        if (!target.SendResolved && notification.Alerts.All(a => a.IsResolved(now))) return new DeliveryOutcome(DeliveryStatus.Sent);
        const string Topic = "notifications";
        await topics.EnsureAsync(new TopicConfig { Name = Topic, Partitions = 4 }, cancellationToken).ConfigureAwait(false);
        // The notification delivery job's message format (docs/messaging.md).
        var message = new
        {
            id = notification.Id + "-" + target.To,
            to = new { email = new[] { target.To } },
            subject = DefaultSubject(notification),
            body = new { text = DefaultText(notification, now) },
        };
        var record = new ProduceRecord { Key = Encoding.UTF8.GetBytes(target.To), Value = JsonSerializer.SerializeToUtf8Bytes(message, Json) };
        await producer.ProduceIdempotentAsync(Topic, [record], message.id, cancellationToken).ConfigureAwait(false);
        return new DeliveryOutcome(DeliveryStatus.Sent);
    }

    private static string DefaultSubject(Notification n) =>
        $"[{n.Status.ToUpperInvariant()}:{n.Alerts.Count}] " + string.Join(" ", n.GroupLabels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Value));

    private static string DefaultText(Notification n, long now)
    {
        var text = new StringBuilder(DefaultSubject(n)).Append('\n');
        foreach (var alert in n.Alerts)
        {
            text.Append(alert.IsResolved(now) ? "RESOLVED " : "FIRING ").Append(alert.Labels.GetValueOrDefault("alertname", ""))
                .Append(' ').Append(string.Join(", ", alert.Labels.Where(l => l.Key != "alertname").OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")));
            if (alert.Annotations.TryGetValue("summary", out var summary)) text.Append(": ").Append(summary);
            text.Append('\n');
        }
        return text.ToString();
    }

    private static DeliveryOutcome Outcome(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        if (response.IsSuccessStatusCode) return new DeliveryOutcome(DeliveryStatus.Sent);
        var retryAfter = response.Headers.RetryAfter?.Delta;
        if (status is 408 or 429 || status >= 500) return new DeliveryOutcome(DeliveryStatus.Retriable, retryAfter, $"HTTP {status}");
        return new DeliveryOutcome(DeliveryStatus.Permanent, null, $"HTTP {status}");
    }

    private static string Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
