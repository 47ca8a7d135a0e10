using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;

namespace Platform.Core.Ingestion.Otlp;

/// <summary>
/// OTLP/JSON per the specification: protobuf's JSON mapping with lowerCamelCase (or original) field names,
/// 64-bit integers as numbers or strings, enums as integers, unknown fields ignored, and trace and span ids
/// as hex strings (where protobuf's mapping would use base64): those are converted before parsing.
/// </summary>
public static class OtlpJson
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));
    private static readonly HashSet<string> IdFields = new(StringComparer.Ordinal) { "traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id" };

    /// <summary>Formats a response (partial success, status) as OTLP/JSON.</summary>
    public static string Format(IMessage message) => JsonFormatter.Default.Format(message);

    /// <summary>Parses an OTLP/protobuf request.</summary>
    /// <exception cref="MalformedOtlpException">The bytes are not a valid message of that type.</exception>
    public static T ParseProtobuf<T>(MessageParser<T> parser, byte[] body)
        where T : IMessage<T>
    {
        ArgumentNullException.ThrowIfNull(parser);
        try
        {
            return parser.ParseFrom(body);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new MalformedOtlpException($"The body is not a valid OTLP/protobuf request: {ex.Message}", ex);
        }
    }

    /// <summary>Parses an OTLP/JSON request.</summary>
    /// <exception cref="MalformedOtlpException">Malformed JSON, ids that are not hex, or values of the wrong type.</exception>
    public static T Parse<T>(ReadOnlySpan<byte> utf8)
        where T : IMessage<T>, new()
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(utf8);
        }
        catch (JsonException ex)
        {
            throw new MalformedOtlpException($"The body is not valid JSON: {ex.Message}");
        }

        if (root is not JsonObject)
        {
            throw new MalformedOtlpException("An OTLP/JSON request must be a JSON object.");
        }

        ConvertIds(root);
        try
        {
            return Parser.Parse<T>(root.ToJsonString());
        }
        catch (Exception ex) when (ex is InvalidJsonException or InvalidProtocolBufferException or FormatException or InvalidOperationException or OverflowException)
        {
            // A value of the wrong type ("resourceLogs": {}, "traceId": 5) is the client's error, never a retriable 503.
            throw new MalformedOtlpException($"The body is not a valid OTLP/JSON request: {ex.Message}");
        }
    }

    private static void ConvertIds(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (string name in obj.Select(p => p.Key).ToList())
                {
                    JsonNode? child = obj[name];
                    if (IdFields.Contains(name) && child is JsonValue value && value.TryGetValue(out string? hex))
                    {
                        obj[name] = HexToBase64(hex, name);
                    }
                    else
                    {
                        ConvertIds(child);
                    }
                }

                break;
            case JsonArray array:
                foreach (JsonNode? item in array)
                {
                    ConvertIds(item);
                }

                break;
        }
    }

    private static string HexToBase64(string hex, string field)
    {
        try
        {
            return Convert.ToBase64String(Convert.FromHexString(hex));
        }
        catch (FormatException)
        {
            throw new MalformedOtlpException(string.Create(CultureInfo.InvariantCulture, $"{field} '{hex}' is not a hex string (OTLP/JSON writes trace and span ids in hex)."));
        }
    }
}
