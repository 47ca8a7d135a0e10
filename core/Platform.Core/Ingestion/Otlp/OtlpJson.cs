using System.Globalization;
using System.Text.Json;
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

    /// <summary>Formats a response (partial success, status) as OTLP/JSON.</summary>
    public static string Format(IMessage message) => JsonFormatter.Default.Format(message);

    /// <summary>Parses an OTLP/JSON request, refused before any object is made when it would cost more than <paramref name="limits"/>.</summary>
    /// <exception cref="MalformedOtlpException">Malformed JSON, ids that are not hex, or values of the wrong type.</exception>
    /// <exception cref="PayloadTooLargeException">More messages or values than the limits allow.</exception>
    public static T Parse<T>(ReadOnlySpan<byte> utf8, OtlpLimits limits)
        where T : IMessage<T>, new()
    {
        ArgumentNullException.ThrowIfNull(limits);
        using var rewritten = new MemoryStream(utf8.Length + 256);
        Rewrite(utf8, rewritten, limits);
        rewritten.Position = 0;
        try
        {
            using var text = new StreamReader(rewritten, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: false);
            return Parser.Parse<T>(text);
        }
        catch (Exception ex) when (ex is InvalidJsonException or InvalidProtocolBufferException or FormatException or InvalidOperationException or OverflowException)
        {
            // A value of the wrong type ("resourceLogs": {}, "traceId": 5) is the client's error, never a retriable 503.
            throw new MalformedOtlpException($"The body is not a valid OTLP/JSON request: {ex.Message}");
        }
    }

    /// <summary>
    /// One streaming pass, no tree: checks the JSON, counts what parsing it would make, and writes it again with trace
    /// and span ids turned from hex into the base64 that protobuf's JSON mapping reads.
    /// </summary>
    private static void Rewrite(ReadOnlySpan<byte> utf8, Stream output, OtlpLimits limits)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = limits.MaxDepth * 2 });
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true });
        int messages = 0, values = 0, objects = 0;
        bool idNext = false;
        var names = new List<HashSet<ulong>>(); // per open object, the names it has had: a name twice is refused
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new MalformedOtlpException("An OTLP/JSON request must be a JSON object.");
            }

            do
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        if (++messages > limits.MaxMessages)
                        {
                            throw limits.TooManyMessages();
                        }

                        if (names.Count == objects)
                        {
                            names.Add([]);
                        }

                        names[objects++].Clear();
                        writer.WriteStartObject();
                        break;
                    case JsonTokenType.EndObject:
                        objects--;
                        writer.WriteEndObject();
                        break;
                    case JsonTokenType.StartArray:
                        writer.WriteStartArray();
                        break;
                    case JsonTokenType.EndArray:
                        writer.WriteEndArray();
                        break;
                    case JsonTokenType.PropertyName:
                        Count(ref values, limits);
                        idNext = IsIdField(ref reader);
                        WriteString(ref reader, writer, names[objects - 1]);
                        continue;
                    case JsonTokenType.String when idNext:
                        Count(ref values, limits);
                        writer.WriteStringValue(HexToBase64(reader.GetString()!));
                        break;
                    case JsonTokenType.String:
                        Count(ref values, limits);
                        WriteString(ref reader, writer, names: null);
                        break;
                    case JsonTokenType.Number:
                        Count(ref values, limits);
                        writer.WriteRawValue(reader.ValueSpan, skipInputValidation: true);
                        break;
                    case JsonTokenType.True or JsonTokenType.False:
                        Count(ref values, limits);
                        writer.WriteBooleanValue(reader.TokenType == JsonTokenType.True);
                        break;
                    case JsonTokenType.Null:
                        Count(ref values, limits);
                        writer.WriteNullValue();
                        break;
                }

                idNext = false;
            }
            while (reader.Read());
        }
        catch (JsonException ex)
        {
            throw new MalformedOtlpException($"The body is not valid JSON: {ex.Message}");
        }
        catch (InvalidOperationException ex)
        {
            throw new MalformedOtlpException($"The body is not valid JSON: {ex.Message}");
        }
    }

    private static void Count(ref int values, OtlpLimits limits)
    {
        if (++values > limits.MaxValues)
        {
            throw limits.TooManyValues();
        }
    }

    private static bool IsIdField(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("traceId"u8) || reader.ValueTextEquals("spanId"u8) || reader.ValueTextEquals("parentSpanId"u8)
        || reader.ValueTextEquals("trace_id"u8) || reader.ValueTextEquals("span_id"u8) || reader.ValueTextEquals("parent_span_id"u8);

    // A property name when `names` (the names its object has had) is given; a string value otherwise.
    private static void WriteString(ref Utf8JsonReader reader, Utf8JsonWriter writer, HashSet<ulong>? names)
    {
        // Strings are copied unescaped through a pooled buffer; invalid UTF-8 is refused here, as the JSON spec asks.
        int length = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(length, 16));
        try
        {
            int written = reader.CopyString(buffer);
            ReadOnlySpan<byte> value = buffer.AsSpan(0, written);
            if (!System.Text.Unicode.Utf8.IsValid(value))
            {
                throw new MalformedOtlpException(string.Create(CultureInfo.InvariantCulture, $"The body is not valid UTF-8 (a string ending at byte {reader.BytesConsumed})."));
            }

            if (names is not null)
            {
                if (!names.Add(Fnv1a(value)))
                {
                    throw new MalformedOtlpException($"The body names '{System.Text.Encoding.UTF8.GetString(value)}' twice in one object; which one counts would be a guess.");
                }

                writer.WritePropertyName(value);
            }
            else
            {
                writer.WriteStringValue(value);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static ulong Fnv1a(ReadOnlySpan<byte> bytes)
    {
        ulong hash = 14695981039346656037;
        foreach (byte b in bytes)
        {
            hash = (hash ^ b) * 1099511628211;
        }

        return hash;
    }

    private static string HexToBase64(string hex)
    {
        try
        {
            return Convert.ToBase64String(Convert.FromHexString(hex));
        }
        catch (FormatException)
        {
            throw new MalformedOtlpException(string.Create(CultureInfo.InvariantCulture, $"'{hex}' is not a hex string (OTLP/JSON writes trace and span ids in hex)."));
        }
    }
}
