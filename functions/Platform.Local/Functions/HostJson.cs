using System.Text.Json;

namespace Platform.Local.Functions;

/// <summary>Reads the route prefix from host.json, as the Functions host does.</summary>
public static class HostJson
{
    /// <summary><c>extensions.http.routePrefix</c>, or "api".</summary>
    public static string RoutePrefix(string directory)
    {
        string path = Path.Combine(directory, "host.json");
        if (!File.Exists(path))
        {
            return "api";
        }

        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.TryGetProperty("extensions", out JsonElement ext)
            && ext.TryGetProperty("http", out JsonElement http)
            && http.TryGetProperty("routePrefix", out JsonElement prefix)
            && prefix.GetString() is { } value ? value : "api";
    }
}
