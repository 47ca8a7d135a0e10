using System.Globalization;
using System.Text.Json;

namespace Platform.Local.Functions;

/// <summary>Reads the Functions app's host.json, so the local host follows it where it stands in for the Functions host.</summary>
public static class HostJson
{
    /// <summary><c>extensions.http.routePrefix</c>, or "api".</summary>
    public static string RoutePrefix(string directory) =>
        Read(directory, root => root.TryGetProperty("extensions", out JsonElement ext)
            && ext.TryGetProperty("http", out JsonElement http)
            && http.TryGetProperty("routePrefix", out JsonElement prefix)
            && prefix.GetString() is { } value ? value : null) ?? "api";

    /// <summary><c>extensions.queues</c>, with the queue extension's defaults (5.x) for what it leaves out.</summary>
    public static QueueSettings Queues(string directory) =>
        Read(directory, root => root.TryGetProperty("extensions", out JsonElement ext) && ext.TryGetProperty("queues", out JsonElement q) ? QueueSettings.From(q) : null)
        ?? QueueSettings.Defaults;

    private static T? Read<T>(string directory, Func<JsonElement, T?> read)
        where T : class
    {
        string path = Path.Combine(directory, "host.json");
        if (!File.Exists(path))
        {
            return null;
        }

        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
        return read(doc.RootElement);
    }
}

/// <summary>
/// The queue trigger's settings from host.json (<c>extensions.queues</c>): message encoding, batch size, new-batch
/// threshold, dequeue count before a message goes to <c>{queue}-poison</c>, visibility timeout after a failure, and
/// the longest idle polling interval. Defaults are the extension's.
/// </summary>
public sealed record QueueSettings(string MessageEncoding, int BatchSize, int NewBatchThreshold, int MaxDequeueCount, TimeSpan VisibilityTimeout, TimeSpan MaxPollingInterval)
{
    /// <summary>The queue extension's defaults (5.x, one core).</summary>
    public static QueueSettings Defaults { get; } = new("base64", 16, 8, 5, TimeSpan.Zero, TimeSpan.FromMinutes(1));

    /// <summary>True when message bodies are Base64 (the extension's default); false for <c>none</c>.</summary>
    public bool Base64 => string.Equals(MessageEncoding, "base64", StringComparison.OrdinalIgnoreCase);

    internal static QueueSettings From(JsonElement q)
    {
        QueueSettings d = Defaults;
        int batch = q.TryGetProperty("batchSize", out JsonElement b) ? b.GetInt32() : d.BatchSize;
        return new QueueSettings(
            q.TryGetProperty("messageEncoding", out JsonElement e) ? e.GetString() ?? d.MessageEncoding : d.MessageEncoding,
            batch,
            q.TryGetProperty("newBatchThreshold", out JsonElement t) ? t.GetInt32() : batch / 2,
            q.TryGetProperty("maxDequeueCount", out JsonElement m) ? m.GetInt32() : d.MaxDequeueCount,
            q.TryGetProperty("visibilityTimeout", out JsonElement v) ? TimeSpan.Parse(v.GetString()!, CultureInfo.InvariantCulture) : d.VisibilityTimeout,
            q.TryGetProperty("maxPollingInterval", out JsonElement p) ? Interval(p) : d.MaxPollingInterval);
    }

    // maxPollingInterval is a TimeSpan string or, in older host.json files, milliseconds.
    private static TimeSpan Interval(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number ? TimeSpan.FromMilliseconds(value.GetDouble()) : TimeSpan.Parse(value.GetString()!, CultureInfo.InvariantCulture);
}
