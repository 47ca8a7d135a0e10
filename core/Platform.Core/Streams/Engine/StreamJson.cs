using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Platform.Core.Streams.Engine;

/// <summary>JSON text as the steps see it: one value, dates left as text (JMESPath compares them as written).</summary>
internal static class StreamJson
{
    /// <summary>The value of <paramref name="text"/>; throws <see cref="JsonException"/> unless it is exactly one JSON value.</summary>
    public static JToken Parse(string text)
    {
        using var reader = new JsonTextReader(new StringReader(text)) { DateParseHandling = DateParseHandling.None, FloatParseHandling = FloatParseHandling.Double };
        JToken token = JToken.ReadFrom(reader);
        if (reader.Read()) throw new JsonReaderException("text after the JSON value");
        return token;
    }
}
