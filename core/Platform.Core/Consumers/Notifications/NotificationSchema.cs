using System.Text.Json;
using Json.Schema;

namespace Platform.Core.Consumers.Notifications;

/// <summary>The notification message's JSON Schema (also in docs/messaging.md), and validation against it.</summary>
public static class NotificationSchema
{
    /// <summary>The schema's text.</summary>
    public const string Text = """
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "$id": "https://platform.example/schemas/notification.json",
          "type": "object",
          "required": ["id", "to"],
          "additionalProperties": false,
          "properties": {
            "id": { "type": "string", "minLength": 1, "maxLength": 200 },
            "to": {
              "type": "object",
              "additionalProperties": false,
              "minProperties": 1,
              "properties": {
                "email": { "type": "array", "minItems": 1, "maxItems": 100, "items": { "type": "string", "format": "idn-email", "maxLength": 320 } },
                "webhook": { "type": "array", "minItems": 1, "maxItems": 20, "items": { "type": "string", "pattern": "^[A-Za-z0-9_.-]{1,64}$" } },
                "slack": { "type": "array", "minItems": 1, "maxItems": 20, "items": { "type": "string", "pattern": "^[A-Za-z0-9_.-]{1,64}$" } }
              }
            },
            "template": { "type": "string", "pattern": "^[a-z0-9][a-z0-9_.-]{0,63}$" },
            "data": { "type": "object" },
            "subject": { "type": "string", "maxLength": 998 },
            "body": {
              "type": "object",
              "additionalProperties": false,
              "minProperties": 1,
              "properties": { "text": { "type": "string" }, "html": { "type": "string" } }
            },
            "digestKey": { "type": "string", "minLength": 1, "maxLength": 200 },
            "notBefore": { "type": "string", "format": "date-time" },
            "expiresAt": { "type": "string", "format": "date-time" },
            "priority": { "enum": ["low", "normal", "high"] }
          },
          "oneOf": [
            { "required": ["template"], "not": { "anyOf": [ { "required": ["subject"] }, { "required": ["body"] } ] } },
            { "required": ["subject", "body"], "not": { "required": ["template"] } }
          ]
        }
        """;

    private static readonly JsonSchema Schema = JsonSchema.FromText(Text);

    private static readonly EvaluationOptions Options = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };

    /// <summary>Parses and validates a message; the error says what is wrong, or the message is returned.</summary>
    public static (NotificationMessage? Message, string? Error) Validate(ReadOnlyMemory<byte> value)
    {
        try
        {
            return ValidateOrThrow(value);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or FormatException or InvalidOperationException or NotSupportedException)
        {
            // Whatever the schema let through and deserialization refuses (a duplicate property, an odd date): a bad message.
            return (null, $"not a valid notification: {e.Message}");
        }
    }

    /// <summary>The <c>id</c> of a message that may not be valid otherwise, when it has a usable one.</summary>
    public static string? TryReadId(ReadOnlyMemory<byte> value)
    {
        try
        {
            using var document = JsonDocument.Parse(value);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("id", out var id)
                && id.ValueKind == JsonValueKind.String && id.GetString() is { Length: > 0 and <= 200 } text ? text : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false };

    /// <summary>Largest message taken (it must fit one table entity when it waits in the schedule).</summary>
    public const int MaxMessageBytes = 900_000;

    private static (NotificationMessage? Message, string? Error) ValidateOrThrow(ReadOnlyMemory<byte> value)
    {
        if (value.Length > MaxMessageBytes) return (null, $"a notification may be at most {MaxMessageBytes:N0} bytes; this one is {value.Length:N0}");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(value, Strict);
        }
        catch (JsonException e)
        {
            return (null, $"not JSON: {e.Message}");
        }
        using var _ = document;
        var result = Schema.Evaluate(document.RootElement, Options);
        if (!result.IsValid)
        {
            var errors = (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => $"{(d.InstanceLocation.ToString() is { Length: > 0 } at ? at : "/")}: {e.Value}")).Distinct().Take(5);
            return (null, "does not match the notification schema: " + string.Join("; ", errors));
        }
        var message = document.RootElement.Deserialize<NotificationMessage>();
        foreach (var address in message?.To.Email ?? [])
        {
            // The schema's idn-email check is loose; what MailKit cannot parse is refused here, not at send time.
            if (!MimeKit.MailboxAddress.TryParse(address, out var parsed) || parsed is null || !string.IsNullOrEmpty(parsed.Name)) return (null, $"\"{address}\" is not a plain e-mail address");
        }
        return (message, null);
    }
}
