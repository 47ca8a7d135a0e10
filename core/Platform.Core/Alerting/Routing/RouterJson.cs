using System.IO.Compression;
using System.Text.Json;

namespace Platform.Core.Alerting.Routing;

/// <summary>How the router's records are kept in storage: gzip'd JSON.</summary>
internal static class RouterJson
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static byte[] ToBytes<T>(T value)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true)) JsonSerializer.Serialize(gzip, value, Json);
        return buffer.ToArray();
    }

    public static T FromBytes<T>(byte[] data)
    {
        using var gzip = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        return JsonSerializer.Deserialize<T>(gzip, Json) ?? throw new InvalidDataException("An empty router record.");
    }
}
