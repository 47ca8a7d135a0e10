using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Platform.Core.Log;

namespace Platform.Core.Ingestion.Http;

/// <summary>
/// Turns a produce request body into records: JSON (one record, an array, or <c>{"records": [...]}</c>),
/// NDJSON (one record a line) or raw bytes (one record).
/// </summary>
public static class RecordsBody
{

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> body)
    {
        int valid = 0;
        Span<char> chars = stackalloc char[256];
        while (System.Text.Unicode.Utf8.ToUtf16(body[valid..], chars, out int read, out _, replaceInvalidSequences: false) is var status && status != System.Buffers.OperationStatus.InvalidData && read > 0)
        {
            valid += read;
        }

        return valid;
    }

    /// <summary>The records of a body of <paramref name="contentType"/>; raw bodies take the key and partition from the query.</summary>
    public static IReadOnlyList<ProduceRecord> Parse(string? contentType, ReadOnlyMemory<byte> body, string? rawKey, int? rawPartition, int maxRecords)
    {
        string mediaType = MediaTypeHeaderValue.TryParse(contentType, out MediaTypeHeaderValue? parsed) ? parsed.MediaType?.ToLowerInvariant() ?? string.Empty : string.Empty;
        if (mediaType is "application/json" or "application/x-ndjson" or "application/jsonl" && !System.Text.Unicode.Utf8.IsValid(body.Span))
        {
            // JSON is UTF-8 (RFC 8259); a string that is not would otherwise fail only when read, deep in the parse.
            throw new BadRequestException($"The body is not valid UTF-8 (at byte {FirstInvalidUtf8(body.Span)}); JSON must be UTF-8.");
        }

        List<ProduceRecord> records;
        try
        {
            records = mediaType switch
            {
                "application/json" => ParseJson(body, maxRecords),
                "application/x-ndjson" or "application/jsonl" => ParseNdjson(body, maxRecords),
                "application/octet-stream" or "text/plain" => [new ProduceRecord { Key = ProduceRecord.Bytes(rawKey is null ? null : Encoding.UTF8.GetBytes(rawKey)), Value = body.ToArray(), Partition = rawPartition }],
                _ => throw new UnsupportedMediaTypeException($"Content-Type '{contentType}' is not accepted: use application/json, application/x-ndjson or application/octet-stream."),
            };
        }
        catch (InvalidOperationException ex)
        {
            // Valid UTF-8 can still escape a lone surrogate ("\ud800"), which no string may hold.
            throw new BadRequestException($"The body holds a string that is not text (an unpaired surrogate escape): {ex.Message}");
        }

        return records.Count == 0 ? throw new BadRequestException("The request has no records.") : records;
    }

    private static List<ProduceRecord> ParseJson(ReadOnlyMemory<byte> body, int maxRecords)
    {
        if (body.IsEmpty)
        {
            throw new BadRequestException("A JSON body is required.");
        }

        using JsonDocument doc = JsonDocument.Parse(body);
        JsonElement root = doc.RootElement;
        RefuseDuplicateNames(root, "The body");
        JsonElement list = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("records", out JsonElement r) ? r : root;
        if (list.ValueKind == JsonValueKind.Object)
        {
            return [ParseRecord(list, 0)];
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            throw new BadRequestException("The body must be a record object, an array of records, or {\"records\": [...]}.");
        }

        if (list.GetArrayLength() > maxRecords)
        {
            throw new PayloadTooLargeException($"The request has {list.GetArrayLength()} records; at most {maxRecords} are accepted.");
        }

        var records = new List<ProduceRecord>(list.GetArrayLength());
        foreach (JsonElement item in list.EnumerateArray())
        {
            records.Add(ParseRecord(item, records.Count));
        }

        return records;
    }

    private static List<ProduceRecord> ParseNdjson(ReadOnlyMemory<byte> body, int maxRecords)
    {
        var records = new List<ProduceRecord>();
        ReadOnlySpan<byte> rest = body.Span;
        int offset = 0;
        int line = 0;
        while (offset < body.Length)
        {
            int end = rest[offset..].IndexOf((byte)'\n');
            int length = end < 0 ? body.Length - offset : end;
            ReadOnlyMemory<byte> text = body.Slice(offset, length);
            offset += length + 1;
            line++;
            if (text.Span.Trim(" \t\r"u8).IsEmpty)
            {
                continue;
            }

            if (records.Count >= maxRecords)
            {
                throw new PayloadTooLargeException($"The request has more than {maxRecords} records.");
            }

            try
            {
                using JsonDocument doc = JsonDocument.Parse(text);
                records.Add(ParseRecord(doc.RootElement, records.Count));
            }
            catch (JsonException ex)
            {
                throw new BadRequestException($"Line {line} is not valid JSON: {ex.Message}");
            }
        }

        return records;
    }

    private static ProduceRecord ParseRecord(JsonElement e, int index)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw new BadRequestException($"Record {index} must be a JSON object.");
        }

        RefuseDuplicateNames(e, $"Record {index}");

        return new ProduceRecord
        {
            Key = ProduceRecord.Bytes(Bytes(e, "key", "keyBase64", index, isKey: true)),
            Value = ProduceRecord.Bytes(Bytes(e, "value", "valueBase64", index, isKey: false)),
            Headers = Headers(e, index),
            Timestamp = Timestamp(e, index),
            Partition = e.TryGetProperty("partition", out JsonElement p) && p.ValueKind != JsonValueKind.Null
                ? (p.ValueKind == JsonValueKind.Number && p.TryGetInt32(out int partition) ? partition : throw new BadRequestException($"Record {index}: partition must be an integer (a JSON number)."))
                : null,
        };
    }

    // Two "value"s or two "partition"s in one record are ambiguous: refused, not last-one-wins. (Inside an opaque JSON
    // value, and among headers, which Kafka lets repeat, names are the sender's business.)
    private static void RefuseDuplicateNames(JsonElement e, string what)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonProperty property in e.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                throw new BadRequestException($"{what} names '{property.Name}' twice; which one counts would be a guess.");
            }
        }
    }

    private static byte[]? Bytes(JsonElement e, string name, string base64Name, int index, bool isKey)
    {
        if (e.TryGetProperty(base64Name, out JsonElement b64) && b64.ValueKind != JsonValueKind.Null)
        {
            if (b64.ValueKind != JsonValueKind.String)
            {
                throw new BadRequestException($"Record {index}: {base64Name} must be a base64 string.");
            }

            try
            {
                return b64.GetBytesFromBase64();
            }
            catch (FormatException)
            {
                throw new BadRequestException($"Record {index}: {base64Name} is not valid base64.");
            }
        }

        if (!e.TryGetProperty(name, out JsonElement v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return v.ValueKind switch
        {
            JsonValueKind.String => Encoding.UTF8.GetBytes(v.GetString()!),
            _ when isKey => throw new BadRequestException($"Record {index}: key must be a string (or use keyBase64)."),
            _ => Encoding.UTF8.GetBytes(v.GetRawText()),
        };
    }

    private static RecordHeader[] Headers(JsonElement e, int index)
    {
        if (!e.TryGetProperty("headers", out JsonElement h) || h.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (h.ValueKind == JsonValueKind.Object)
        {
            return [.. h.EnumerateObject().Select(p => new RecordHeader(p.Name, HeaderValue(p.Value, index)))];
        }

        if (h.ValueKind == JsonValueKind.Array)
        {
            return [.. h.EnumerateArray().Select(item => item.ValueKind == JsonValueKind.Object && item.TryGetProperty("key", out JsonElement k) && k.ValueKind == JsonValueKind.String
                ? new RecordHeader(k.GetString()!, item.TryGetProperty("value", out JsonElement v) ? HeaderValue(v, index) : null)
                : throw new BadRequestException($"Record {index}: each header needs a string key."))];
        }

        throw new BadRequestException($"Record {index}: headers must be an object or an array of {{key, value}}.");
    }

    private static ReadOnlyMemory<byte>? HeaderValue(JsonElement v, int index) => v.ValueKind switch
    {
        JsonValueKind.Null => (ReadOnlyMemory<byte>?)null, // typed: a bare null would go through byte[] and become empty
        JsonValueKind.String => Encoding.UTF8.GetBytes(v.GetString()!),
        _ => throw new BadRequestException($"Record {index}: header values must be strings or null."),
    };

    private static long? Timestamp(JsonElement e, int index)
    {
        if (!e.TryGetProperty("timestamp", out JsonElement t) || t.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (t.ValueKind == JsonValueKind.Number && t.TryGetInt64(out long ms) && ms >= 0)
        {
            return ms;
        }

        if (t.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(t.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset when))
        {
            return when.ToUnixTimeMilliseconds();
        }

        throw new BadRequestException($"Record {index}: timestamp must be Unix milliseconds or an ISO 8601 time.");
    }
}
