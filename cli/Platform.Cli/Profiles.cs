using System.Text.Json;
using System.Text.Json.Nodes;

namespace Platform.Cli;

/// <summary>
/// Endpoint and API key per profile in <c>~/.config/platform/profiles.json</c> (readable by the user only), overridden by
/// <c>PLATFORM_URL</c> / <c>PLATFORM_API_KEY</c> / <c>PLATFORM_FUNCTIONS_KEY</c> and by <c>--url</c> / <c>--api-key</c> /
/// <c>--functions-key</c>. The Functions host's key is the second lock a deployment keeps on its routes (none locally).
/// </summary>
internal static class Profiles
{
    public static string DefaultPath => Environment.GetEnvironmentVariable("PLATFORM_CONFIG")
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config", "platform", "profiles.json");

    public static (string Url, string? Key, string? FunctionsKey) Resolve(string? url, string? key, string? functionsKey, string profile, string path)
    {
        JsonObject? stored = Load(path)?[profile]?.AsObject();
        string resolvedUrl = url ?? Environment.GetEnvironmentVariable("PLATFORM_URL") ?? stored?["url"]?.GetValue<string>() ?? "http://127.0.0.1:7071";
        string? resolvedKey = key ?? Environment.GetEnvironmentVariable("PLATFORM_API_KEY") ?? stored?["apiKey"]?.GetValue<string>();
        if (!Uri.TryCreate(resolvedUrl, UriKind.Absolute, out Uri? uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new CliException(CliException.Usage, $"'{resolvedUrl}' is not an http(s) URL (such as http://127.0.0.1:7071).");
        }

        string? resolvedFunctionsKey = functionsKey ?? Environment.GetEnvironmentVariable("PLATFORM_FUNCTIONS_KEY") ?? stored?["functionsKey"]?.GetValue<string>();
        return (resolvedUrl.TrimEnd('/'), resolvedKey, resolvedFunctionsKey);
    }

    public static void Save(string path, string profile, string url, string key, string? functionsKey)
    {
        JsonObject all = Load(path) ?? [];
        all[profile] = new JsonObject { ["url"] = url.TrimEnd('/'), ["apiKey"] = key };
        if (functionsKey is not null) all[profile]!["functionsKey"] = functionsKey;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, all.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    private static JsonObject? Load(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject;
        }
        catch (JsonException e)
        {
            throw new CliException(CliException.Usage, $"{path} is not valid JSON: {e.Message}");
        }
    }
}
