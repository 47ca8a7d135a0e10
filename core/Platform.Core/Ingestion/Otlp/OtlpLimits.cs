using System.Globalization;

namespace Platform.Core.Ingestion.Otlp;

/// <summary>
/// What one OTLP request may cost once materialized, checked on its bytes before any object is made: a message
/// (resource, scope, record, attribute, value) costs around a hundred bytes as an object however few bytes it takes
/// on the wire, so a body of empty messages within the size limit could otherwise allocate gigabytes.
/// </summary>
/// <param name="MaxMessages">Most embedded messages (JSON objects) in one request.</param>
/// <param name="MaxValues">Most packed repeated values (and, in JSON, scalar values and names) in one request.</param>
/// <param name="MaxDepth">Deepest nesting of messages (kvlists and arrays within attribute values).</param>
public sealed record OtlpLimits(int MaxMessages, int MaxValues, int MaxDepth = 32)
{
    /// <summary>
    /// Limits that keep a request's objects within about twice <paramref name="maxRequestBytes"/>: one message per 64
    /// bytes of the limit (the OpenTelemetry Collector's default batch of 8,192 logs with ten attributes each is about
    /// 180,000 messages, under the default 16 MiB limit's 262,144) and one value per 8 bytes.
    /// </summary>
    public static OtlpLimits For(int maxRequestBytes) => new(Math.Max(1024, maxRequestBytes / 64), Math.Max(8192, maxRequestBytes / 8));

    internal PayloadTooLargeException TooManyMessages() =>
        new(string.Create(CultureInfo.InvariantCulture, $"The export holds more than {MaxMessages} messages (resources, scopes, records, attributes and values); export in smaller batches."));

    internal PayloadTooLargeException TooManyValues() =>
        new(string.Create(CultureInfo.InvariantCulture, $"The export holds more than {MaxValues} values; export in smaller batches."));

    internal MalformedOtlpException TooDeep() =>
        new(string.Create(CultureInfo.InvariantCulture, $"The export nests messages deeper than {MaxDepth} levels."));
}
