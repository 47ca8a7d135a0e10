using System.Text;
using System.Text.Json;
using Platform.Core.Log;

namespace Platform.Functions.Http;

/// <summary>A record as the records API and the stream show it: offset, times, key, value (text, base64 or JSON) and headers.</summary>
internal static class RecordView
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The record's view in <paramref name="format"/> (<c>text</c>, <c>base64</c> or <c>json</c>).</summary>
    public static Dictionary<string, object?> Of(LogRecord r, string format)
    {
        var view = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["offset"] = r.Offset,
            ["timestamp"] = r.Timestamp,
            ["appendTime"] = r.AppendTime,
        };
        AddBytes(view, "key", r.Key, format == "json" ? "text" : format);
        AddBytes(view, "value", r.Value, format);
        if (r.Headers.Count > 0)
        {
            view["headers"] = r.Headers.Select(h => new { key = h.Key, value = h.Value is { } v ? Text(v) ?? Convert.ToBase64String(v.Span) : null });
        }

        return view;
    }

    private static void AddBytes(Dictionary<string, object?> view, string name, ReadOnlyMemory<byte>? bytes, string format)
    {
        if (bytes is not { } b)
        {
            view[name] = null;
            return;
        }

        if (format == "json")
        {
            try
            {
                using JsonDocument doc = JsonDocument.Parse(b);
                view[name] = doc.RootElement.Clone();
                return;
            }
            catch (JsonException)
            {
                // Not JSON: fall back to text or base64 for this record.
            }
        }

        if (format != "base64" && Text(b) is { } text)
        {
            view[name] = text;
        }
        else
        {
            view[name + "Base64"] = Convert.ToBase64String(b.Span);
        }
    }

    private static string? Text(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            return StrictUtf8.GetString(bytes.Span);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
