using System.Globalization;

namespace Platform.Core.Ingestion.Http;

/// <summary>Times given by clients: Unix milliseconds or ISO 8601.</summary>
public static class TimeValue
{
    /// <summary>Unix milliseconds from either form; <see cref="BadRequestException"/> naming <paramref name="name"/> otherwise.</summary>
    public static long ParseUnixMilliseconds(string? value, string name) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long ms) ? ms
        : DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset t) ? t.ToUnixTimeMilliseconds()
        : throw new BadRequestException($"{name} must be Unix milliseconds or an ISO 8601 time.");
}
