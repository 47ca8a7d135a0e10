using System.Text.Json;
using System.Text.Json.Serialization;

namespace Platform.Core.Consumers.Notifications;

/// <summary>
/// A notification as applications produce it to the notifications topic (JSON, validated against
/// <see cref="NotificationSchema"/>): an id, recipients by channel, and either a template with data or a subject and body.
/// </summary>
public sealed record NotificationMessage(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("to")] NotificationRecipients To,
    [property: JsonPropertyName("template")] string? Template,
    [property: JsonPropertyName("data")] JsonElement? Data,
    [property: JsonPropertyName("subject")] string? Subject,
    [property: JsonPropertyName("body")] NotificationBody? Body,
    [property: JsonPropertyName("expiresAt")] DateTimeOffset? ExpiresAt,
    [property: JsonPropertyName("priority")] string? Priority,
    [property: JsonPropertyName("notBefore")] DateTimeOffset? NotBefore = null,
    [property: JsonPropertyName("digestKey")] string? DigestKey = null);

/// <summary>Recipients by channel: e-mail addresses, and webhook and Slack targets by their configured names.</summary>
public sealed record NotificationRecipients(
    [property: JsonPropertyName("email")] IReadOnlyList<string>? Email,
    [property: JsonPropertyName("webhook")] IReadOnlyList<string>? Webhook,
    [property: JsonPropertyName("slack")] IReadOnlyList<string>? Slack)
{
    /// <summary>Every recipient as (channel, address).</summary>
    public IEnumerable<(string Channel, string Address)> All() =>
        (Email ?? []).Select(a => ("email", a)).Concat((Webhook ?? []).Select(a => ("webhook", a))).Concat((Slack ?? []).Select(a => ("slack", a)));
}

/// <summary>A body: text and/or HTML.</summary>
public sealed record NotificationBody([property: JsonPropertyName("text")] string? Text, [property: JsonPropertyName("html")] string? Html);

/// <summary>What is sent: subject, text and HTML after templates.</summary>
public sealed record RenderedNotification(string Subject, string? Text, string? Html);
