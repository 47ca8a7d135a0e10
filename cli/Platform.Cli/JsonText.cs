using System.Text.Json.Nodes;

namespace Platform.Cli;

/// <summary>A JSON value as a table cell: strings as they are, anything else as JSON, nothing as empty.</summary>
internal static class JsonText
{
    public static string Of(JsonNode? node) => node switch
    {
        null => "",
        JsonValue v when v.TryGetValue(out string? s) => s,
        _ => node.ToJsonString(),
    };

    public static string Escape(string segment) => Uri.EscapeDataString(segment);

    /// <summary>Unix ms as a UTC time in <paramref name="format"/>; anything else as it is.</summary>
    public static string Time(JsonNode? ms, string format) => ms is JsonValue v && v.TryGetValue(out long t)
        ? DateTimeOffset.FromUnixTimeMilliseconds(t).ToString(format, System.Globalization.CultureInfo.InvariantCulture)
        : Of(ms);
}
