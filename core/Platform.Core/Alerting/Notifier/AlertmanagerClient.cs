using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Core.Alerting.Evaluation;

namespace Platform.Core.Alerting.Notifier;

/// <summary>
/// Sends alerts to every configured Alertmanager's v2 API (<c>POST /api/v2/alerts</c>) as Prometheus does: firing
/// alerts with <c>endsAt</c> in the future (re-sent every <c>ResendDelay</c>), resolved ones with their end; external
/// labels added where the alert has none of that name. A failed send is retried twice, then logged and counted, and the
/// caller keeps the alerts to send again (at least once; Alertmanager de-duplicates).
/// </summary>
public sealed partial class AlertmanagerClient(HttpClient http, IOptions<AlertingOptions> options, AlertingTelemetry telemetry, ILogger<AlertmanagerClient> logger)
{
    /// <summary>True when at least one Alertmanager is configured.</summary>
    public bool Configured => options.Value.AlertmanagerUrls.Count > 0;

    /// <summary>Sends the alerts of one rule evaluation to every Alertmanager; true when every one took them (or refused them as bad).</summary>
    public async Task<bool> SendAsync(IReadOnlyList<ActiveAlert> alerts, string expr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        if (alerts.Count == 0 || !Configured) return true;
        var allTook = true;
        var o = options.Value;
        var payload = alerts.Select(a => Payload(a, expr, o)).ToList();
        foreach (var url in o.AlertmanagerUrls)
        {
            var target = new Uri(new Uri(url.TrimEnd('/') + "/"), "api/v2/alerts");
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    using var response = await http.PostAsJsonAsync(target, payload, cancellationToken).ConfigureAwait(false);
                    if (response.IsSuccessStatusCode)
                    {
                        telemetry.Sent(alerts.Count);
                        break;
                    }
                    if ((int)response.StatusCode is >= 400 and < 500)
                    {
                        // Alertmanager refused the alerts themselves: sending them again changes nothing.
                        telemetry.Failed(alerts.Count);
                        LogRefused(logger, target, (int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
                        break;
                    }
                    throw new HttpRequestException($"HTTP {(int)response.StatusCode}");
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    if (attempt < 3)
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt * attempt), cancellationToken).ConfigureAwait(false);
                        continue;
                    }
                    telemetry.Failed(alerts.Count);
                    LogFailed(logger, e, target, alerts.Count);
                    allTook = false;
                    break;
                }
            }
        }
        return allTook;
    }

    internal static AlertmanagerAlert Payload(ActiveAlert alert, string expr, AlertingOptions options)
    {
        var labels = new SortedDictionary<string, string>(alert.Labels.ToDictionary(l => l.Key, l => l.Value), StringComparer.Ordinal);
        foreach (var (name, value) in options.ExternalLabels) labels.TryAdd(name, value);
        var end = alert.ResolvedAt > 0 ? alert.ResolvedAt : alert.ValidUntil;
        return new AlertmanagerAlert(labels, alert.Annotations, Time(alert.FiredAt), Time(end), GeneratorUrl(expr, options));
    }

    /// <summary>Where a person sees the rule's expression (Prometheus's generator URL), or "" without an external URL.</summary>
    public static string GeneratorUrl(string expr, AlertingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.ExternalUrl.Length == 0 ? "" : options.ExternalUrl.TrimEnd('/') + "/graph?g0.expr=" + Uri.EscapeDataString(expr) + "&g0.tab=1";
    }

    private static string Time(long ms) =>
        DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alertmanager {Target} refused alerts with {Status}: {Body}")]
    private static partial void LogRefused(ILogger logger, Uri target, int status, string body);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not send {Count} alerts to Alertmanager {Target}; they go again at the next resend")]
    private static partial void LogFailed(ILogger logger, Exception exception, Uri target, int count);
}

/// <summary>One alert of Alertmanager's v2 API (<c>postableAlert</c>).</summary>
public sealed record AlertmanagerAlert(
    [property: JsonPropertyName("labels")] IReadOnlyDictionary<string, string> Labels,
    [property: JsonPropertyName("annotations")] IReadOnlyDictionary<string, string> Annotations,
    [property: JsonPropertyName("startsAt")] string StartsAt,
    [property: JsonPropertyName("endsAt")] string EndsAt,
    [property: JsonPropertyName("generatorURL")] string GeneratorUrl);
