using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Resources;
using Platform.Benchmarks.Peers;
using Platform.Tests.Fixtures;
using Xunit.Abstractions;

namespace Platform.Tests.Alerting;

/// <summary>
/// Log-based alerting end to end: the OpenTelemetry SDK logs ERRORs from a service above a rule's threshold; the local
/// host counts them, evaluates the rule every second, and sends the alert to the real Alertmanager, which calls a
/// webhook; the errors stop and the resolution follows; a silence made through Alertmanager's API stops another.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AlertingEndToEndTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private const string Rules = """
        groups:
          - name: log-errors
            interval: 1s
            rules:
              - alert: ErrorLogsHigh
                expr: sum by (job) (rate(log_records_total{severity="ERROR"}[10s])) > 1
                for: 2s
                labels:
                  severity: page
                annotations:
                  summary: '{{ $labels.job }} logs {{ $value | humanize }} errors a second'
        """;

    [AlertmanagerFact]
    public async Task Error_logs_fire_an_alert_that_reaches_a_webhook_through_alertmanager_and_resolve()
    {
        await using var receiver = await AlertReceiver.StartAsync();
        await using var alertmanager = await AlertmanagerServer.StartAsync(new Uri(receiver.Url, "hook"), CancellationToken.None);
        await using var host = await LocalHost.StartAsync(azurite, "alert-e2e",
            ("Platform:Alerting:EvaluationSchedule", "*/1 * * * * *"),
            ("Platform:Alerting:AlertmanagerUrls:0", alertmanager.Url.ToString()),
            ("Platform:Alerting:ResendDelay", "00:00:05"));
        using var client = new HttpClient { BaseAddress = host.Client.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", LocalHost.AdminKey);
        using (var put = await client.PutAsync(new Uri("api/rules/log-errors", UriKind.Relative), new StringContent(Rules, Encoding.UTF8, "application/yaml")))
        {
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        }

        var firstError = DateTimeOffset.UtcNow;
        await LogErrorsAsync(host, "checkout", TimeSpan.FromSeconds(8), () => !receiver.Webhooks.IsEmpty);
        var firing = await WaitForWebhookAsync(receiver, "firing", "checkout", TimeSpan.FromSeconds(45));
        var latency = firing.At - firstError;
        output.WriteLine($"first ERROR log to webhook: {latency.TotalSeconds:N1} s (SDK export every 1 s, evaluation every 1 s, for: 2s, rate over 10 s, Alertmanager group_wait 1 s)");
        var alert = firing.Body.GetProperty("alerts")[0];
        Assert.Equal("page", alert.GetProperty("labels").GetProperty("severity").GetString());
        Assert.Contains("checkout logs", alert.GetProperty("annotations").GetProperty("summary").GetString(), StringComparison.Ordinal);

        // Prometheus's views of the rule and its alert.
        var rules = JsonDocument.Parse(await client.GetStringAsync(new Uri("api/rules", UriKind.Relative))).RootElement;
        var rule = rules.GetProperty("data").GetProperty("groups")[0].GetProperty("rules")[0];
        Assert.Equal(("ok", "firing"), (rule.GetProperty("health").GetString(), rule.GetProperty("state").GetString()));
        var alerts = JsonDocument.Parse(await client.GetStringAsync(new Uri("api/alerts", UriKind.Relative))).RootElement;
        Assert.Equal("firing", alerts.GetProperty("data").GetProperty("alerts")[0].GetProperty("state").GetString());

        // The errors stopped: within the rate window and an evaluation, the alert resolves and Alertmanager says so.
        await WaitForWebhookAsync(receiver, "resolved", "checkout", TimeSpan.FromSeconds(60));

        // A silence through Alertmanager's API: another service's alert is received but not notified.
        using var silence = await new HttpClient().PostAsync(new Uri(alertmanager.Url, "api/v2/silences"), new StringContent(JsonSerializer.Serialize(new
        {
            matchers = new[] { new { name = "job", value = "billing", isRegex = false, isEqual = true } },
            startsAt = DateTimeOffset.UtcNow.AddSeconds(-1), endsAt = DateTimeOffset.UtcNow.AddHours(1), createdBy = "test", comment = "maintenance",
        }), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, silence.StatusCode);
        await LogErrorsAsync(host, "billing", TimeSpan.FromSeconds(8), () => false);
        var silenced = await WaitAsync(async () =>
        {
            var listed = JsonDocument.Parse(await new HttpClient().GetStringAsync(new Uri(alertmanager.Url, "api/v2/alerts?silenced=true&inhibited=false&active=false"))).RootElement;
            return listed.EnumerateArray().Any(a => a.GetProperty("labels").GetProperty("job").GetString() == "billing" && a.GetProperty("status").GetProperty("state").GetString() == "suppressed");
        }, TimeSpan.FromSeconds(45));
        Assert.True(silenced, "Alertmanager never held billing's alert as silenced");
        Assert.DoesNotContain(receiver.Webhooks, w => w.Body.GetProperty("groupLabels").TryGetProperty("job", out var job) && job.GetString() == "billing");
    }

    [Fact]
    public async Task Two_instances_with_the_built_in_router_notify_a_webhook_once_per_group()
    {
        await using var receiver = await AlertReceiver.StartAsync();
        var id = Guid.NewGuid().ToString("N")[..8];
        (string, string)[] shared =
        [
            ("Platform:Storage:LogContainer", $"router-{id}"), ("Platform:Storage:TablePrefix", $"r{id}"),
            ("Platform:Alerting:EvaluationSchedule", "*/1 * * * * *"), ("Platform:Alerting:ResendDelay", "00:00:05"), ("Hooks:Secret", "s3cret"),
        ];
        await using var first = await LocalHost.StartAsync(azurite, "router-e2e", shared);
        await using var second = await LocalHost.StartAsync(azurite, "router-e2e", shared);
        using var client = new HttpClient { BaseAddress = first.Client.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", LocalHost.AdminKey);
        var routes = $$"""
            route:
              receiver: oncall
              group_by: [alertname, job]
              group_wait: 1s
              group_interval: 2s
              repeat_interval: 1h
            receivers:
              - name: oncall
                webhook_configs: [{url: '{{new Uri(receiver.Url, "hook")}}', hmac_secret_setting: 'Hooks:Secret'}]
            """;
        using (var put = await client.PutAsync(new Uri("api/alerting/routes", UriKind.Relative), new StringContent(routes, Encoding.UTF8, "application/yaml")))
        {
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        }
        using (var put = await client.PutAsync(new Uri("api/rules/log-errors", UriKind.Relative), new StringContent(Rules, Encoding.UTF8, "application/yaml")))
        {
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        }

        var firstError = DateTimeOffset.UtcNow;
        await LogErrorsAsync(first, "checkout", TimeSpan.FromSeconds(8), () => !receiver.Webhooks.IsEmpty);
        var firing = await WaitForWebhookAsync(receiver, "firing", "checkout", TimeSpan.FromSeconds(45));
        output.WriteLine($"first ERROR log to webhook through the built-in router, two instances: {(firing.At - firstError).TotalSeconds:N1} s");
        await WaitForWebhookAsync(receiver, "resolved", "checkout", TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(3));
        var statuses = receiver.Webhooks.Select(w => w.Body.GetProperty("status").GetString()).ToList();
        Assert.Equal(["firing", "resolved"], statuses);
        Assert.Equal(2, receiver.Signatures.Count);
    }

    [Fact]
    public async Task Rule_files_in_a_folder_are_loaded_at_start_and_a_bad_one_stops_start_up()
    {
        var folder = Path.Combine(Path.GetTempPath(), "rules-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "service.yml"), Rules);
            await using (var host = await LocalHost.StartAsync(azurite, "rules-folder", ("Platform:Alerting:RulesDirectory", folder)))
            {
                var rules = JsonDocument.Parse(await host.Client.GetStringAsync(new Uri("api/rules", UriKind.Relative))).RootElement;
                Assert.Equal("log-errors", rules.GetProperty("data").GetProperty("groups")[0].GetProperty("name").GetString());
            }
            await File.WriteAllTextAsync(Path.Combine(folder, "broken.yml"), "groups:\n  - name: b\n    rules:\n      - alert: X\n        expr: sum(\n");
            var failure = await Record.ExceptionAsync(async () => await (await LocalHost.StartAsync(azurite, "rules-folder-bad", ("Platform:Alerting:RulesDirectory", folder))).DisposeAsync());
            Assert.NotNull(failure);
            Assert.Contains("broken.yml", failure.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task LogErrorsAsync(LocalHost host, string service, TimeSpan duration, Func<bool> stop)
    {
        using var loggers = LoggerFactory.Create(b => b.AddOpenTelemetry(o =>
        {
            o.SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(service));
            o.AddOtlpExporter(e =>
            {
                e.Protocol = OtlpExportProtocol.HttpProtobuf;
                e.Endpoint = new Uri(host.OtlpHttp, "v1/logs");
                e.Headers = $"x-api-key={LocalHost.AdminKey}";
                // The SDK batches logs for 5 s by default; a second keeps the measurement about the platform.
                e.BatchExportProcessorOptions.ScheduledDelayMilliseconds = 1000;
            });
        }));
        var logger = loggers.CreateLogger("payments");
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < duration && !stop())
        {
            for (var i = 0; i < 10; i++)
            {
#pragma warning disable CA1848, CA2254 // a plain call, as an application would write it
                logger.LogError("payment {Id} failed", i);
#pragma warning restore CA1848, CA2254
            }
            await Task.Delay(250);
        }
    }

    private static async Task<(DateTimeOffset At, JsonElement Body)> WaitForWebhookAsync(AlertReceiver receiver, string status, string job, TimeSpan patience)
    {
        (DateTimeOffset, JsonElement)? found = null;
        await WaitAsync(() =>
        {
            found = receiver.Webhooks.Select(w => ((DateTimeOffset, JsonElement)?)w).FirstOrDefault(w =>
                w!.Value.Item2.GetProperty("status").GetString() == status
                && w.Value.Item2.GetProperty("groupLabels").TryGetProperty("job", out var j) && j.GetString() == job);
            return Task.FromResult(found is not null);
        }, patience);
        return found ?? throw new Xunit.Sdk.XunitException($"no {status} webhook for {job} within {patience.TotalSeconds} s; received {receiver.Webhooks.Count}");
    }

    private static async Task<bool> WaitAsync(Func<Task<bool>> condition, TimeSpan patience)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < patience)
        {
            if (await condition()) return true;
            await Task.Delay(200);
        }
        return false;
    }
}
