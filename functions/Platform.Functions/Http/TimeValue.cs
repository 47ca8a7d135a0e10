using System.Globalization;

namespace Platform.Functions.Http;

/// <summary>Times given by clients: Unix milliseconds or ISO 8601.</summary>
internal static class TimeValue
{
    public static long ParseUnixMilliseconds(string? value, string name) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long ms) ? ms
        : DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset t) ? t.ToUnixTimeMilliseconds()
        : throw new BadRequestException($"{name} must be Unix milliseconds or an ISO 8601 time.");
}
