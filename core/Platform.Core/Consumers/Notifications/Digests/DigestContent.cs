using System.Text.Json;
using System.Text.Json.Serialization;

namespace Platform.Core.Consumers.Notifications;

/// <summary>What one message contributes to a digest (kept as JSON with the digest until it is sent): its id, rendered parts and data.</summary>
public sealed record DigestContent(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("text")] string? Text,
    [property: JsonPropertyName("html")] string? Html,
    [property: JsonPropertyName("data")] JsonElement? Data)
{
    private static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Largest part of one message in a digest; a larger message is sent on its own.</summary>
    public const int MaxBytes = 256 * 1024;

    /// <summary>The JSON of a message's part in a digest.</summary>
    public static byte[] Write(NotificationMessage message, RenderedNotification rendered)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(rendered);
        return JsonSerializer.SerializeToUtf8Bytes(new DigestContent(message.Id, rendered.Subject, rendered.Text, rendered.Html, message.Data), Compact);
    }

    /// <summary>Reads what <see cref="Write"/> wrote.</summary>
    public static DigestContent Read(ReadOnlyMemory<byte> json) =>
        JsonSerializer.Deserialize<DigestContent>(json.Span) ?? throw new JsonException("A digest entry is empty.");
}
