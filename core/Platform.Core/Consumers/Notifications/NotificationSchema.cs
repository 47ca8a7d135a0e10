using System.Text.Json;
using System.Text.Json.Nodes;
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
            "digestKey": { "type": "string", "maxLength": 200 },
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
        JsonNode? node;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(value);
            node = JsonNode.Parse(value.Span);
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
        if (node!["notBefore"] is not null || node["digestKey"] is not null)
        {
            return (null, "notBefore and digestKey are not supported yet: the message would be sent at once and alone");
        }
        return (node.Deserialize<NotificationMessage>(), null);
    }
}
