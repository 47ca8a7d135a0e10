using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Platform.Cli;
using Platform.Core.Log.Topics;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Cli;

/// <summary>
/// The command line's topic settings and deletion, consumer groups (list, consume as a group with commits), filters,
/// rules, silences, alerts, notifications, the OTLP check and shell completion, against the local host.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class CliAdminTests(AzuriteFixture azurite)
{
    private static Task<(int Exit, string Out, string Err)> RunAsync(LocalHost host, string? stdin, params string[] args) => CliRun.RunAsync(host, stdin, args);

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    [Fact]
    public async Task Topic_config_changes_settings_and_delete_hides_the_topic_then_frees_the_name_once_its_data_is_gone()
    {
        await using LocalHost host = await LocalHost.StartAsync(azurite, nameof(Topic_config_changes_settings_and_delete_hides_the_topic_then_frees_the_name_once_its_data_is_gone));
        Assert.Equal(0, (await RunAsync(host, null, "topics", "create", "events", "-p", "2")).Exit);
        Assert.Equal(0, (await RunAsync(host, "a|1\nb|2\nc|3\nd|4\n", "produce", "events", "--key-separator", "|")).Exit);

        var changed = await RunAsync(host, null, "topics", "config", "events", "--retention-ms", "3600000", "--cleanup-policy", "compact,delete", "--segment-ms", "60000", "-o", "json");
        Assert.Equal(0, changed.Exit);
        Assert.Equal(3_600_000, Json(changed.Out).GetProperty("retentionMs").GetInt64());
        Assert.Equal("compact,delete", Json(changed.Out).GetProperty("cleanupPolicy").GetString());
        var shown = await RunAsync(host, null, "topics", "config", "events");
        Assert.Contains("retention 3600000 ms", shown.Out, StringComparison.Ordinal);
        Assert.Contains("segment 60000 ms", shown.Out, StringComparison.Ordinal);

        // Invalid settings and a partition change are refused and change nothing.
        var invalid = await RunAsync(host, null, "topics", "config", "events", "--retention-ms", "0");
        Assert.Equal(2, invalid.Exit);
        Assert.Contains("RetentionMs must be positive", invalid.Err, StringComparison.Ordinal);
        using (var patch = new HttpRequestMessage(HttpMethod.Patch, "/api/topics/events") { Content = new StringContent("""{"partitions":4}""", Encoding.UTF8, "application/json") })
        {
            HttpResponseMessage response = await host.Client.SendAsync(patch);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("partitions cannot change", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var rename = new HttpRequestMessage(HttpMethod.Patch, "/api/topics/events") { Content = new StringContent("""{"name":"other"}""", Encoding.UTF8, "application/json") })
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await host.Client.SendAsync(rename)).StatusCode);
        }

        using (var unknown = new HttpRequestMessage(HttpMethod.Patch, "/api/topics/events") { Content = new StringContent("""{"retention.ms":1}""", Encoding.UTF8, "application/json") })
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await host.Client.SendAsync(unknown)).StatusCode); // a misspelt setting is refused, not ignored
        }

        Assert.Equal(3_600_000, Json(await host.Client.GetStringAsync("/api/topics/events")).GetProperty("retentionMs").GetInt64());

        // A group with committed offsets on the topic, to see them go with it.
        Assert.Equal(0, (await RunAsync(host, null, "consume", "events", "--group", "readers", "-o", "json")).Exit);
        Assert.Contains(Json((await RunAsync(host, null, "groups", "list", "-o", "json")).Out).GetProperty("groups").EnumerateArray(), g => g.GetProperty("topic").GetString() == "events");

        // Without --yes and without a terminal: refused, nothing deleted.
        var unconfirmed = await RunAsync(host, null, "topics", "delete", "events");
        Assert.Equal(1, unconfirmed.Exit);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/api/topics/events")).StatusCode);

        var deleted = await RunAsync(host, null, "topics", "delete", "events", "--yes", "-o", "json");
        Assert.Equal(0, deleted.Exit);
        Assert.True(Json(deleted.Out).TryGetProperty("dataRemovedAfter", out _));
        Assert.DoesNotContain("events", (await RunAsync(host, null, "topics", "list")).Out, StringComparison.Ordinal);
        Assert.Equal(2, (await RunAsync(host, null, "topics", "describe", "events")).Exit);
        Assert.Equal(2, (await RunAsync(host, null, "produce", "events", "late")).Exit);
        Assert.Equal(2, (await RunAsync(host, null, "topics", "delete", "events", "--yes")).Exit); // gone already
        var platformTopic = await RunAsync(host, null, "topics", "delete", "otlp.logs", "--yes");
        Assert.Equal(2, platformTopic.Exit);
        Assert.Contains("OTLP receivers", platformTopic.Err, StringComparison.Ordinal);
        var reused = await RunAsync(host, null, "topics", "create", "events");
        Assert.Equal(2, reused.Exit);
        Assert.Contains("being removed", reused.Err, StringComparison.Ordinal);

        // The retention timer's sweep removes the data, index rows and group offsets; then the name is free and the new topic starts empty.
        TopicDeleter deleter = host.Platform.Services.GetRequiredService<TopicDeleter>();
        Assert.Empty(await deleter.SweepAsync(default)); // inside the grace (2 min): nothing yet
        IReadOnlyList<string> removed = await deleter.SweepAsync(TimeSpan.Zero, default);
        Assert.Equal(["events"], removed);
        Assert.Equal(0, (await RunAsync(host, null, "topics", "create", "events")).Exit);
        Assert.All(Json(await host.Client.GetStringAsync("/api/topics/events")).GetProperty("offsets").EnumerateArray(), p => Assert.Equal(0, p.GetProperty("latestOffset").GetInt64()));
        Assert.DoesNotContain(Json((await RunAsync(host, null, "groups", "list", "-o", "json")).Out).GetProperty("groups").EnumerateArray(), g => g.GetProperty("topic").GetString() == "events");
        Assert.Equal(0, (await RunAsync(host, null, "produce", "events", "fresh")).Exit);
        var fresh = await RunAsync(host, null, "consume", "events", "-o", "json");
        Assert.Equal(["fresh"], fresh.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => Json(l).GetProperty("value").GetString()));
        Assert.Equal(0, Json(fresh.Out.Split('\n')[0]).GetProperty("offset").GetInt64());
    }

    [Fact]
    public async Task Consume_as_a_group_commits_what_it_printed_and_filters_by_key_and_time()
    {
        await using LocalHost host = await LocalHost.StartAsync(azurite, nameof(Consume_as_a_group_commits_what_it_printed_and_filters_by_key_and_time));
        Assert.Equal(0, (await RunAsync(host, null, "topics", "create", "views", "-p", "3")).Exit);
        string lines = string.Concat(Enumerable.Range(0, 30).Select(i => $"user-{i % 5}|{{\"n\":{i}}}\n"));
        Assert.Equal(0, (await RunAsync(host, lines, "produce", "views", "--key-separator", "|", "--json")).Exit);

        // Group reads: 10, then the next 10 from where it committed, then --no-commit reads on without moving it.
        var first = await RunAsync(host, null, "consume", "views", "--group", "g1", "-n", "10", "-o", "json");
        Assert.Equal(0, first.Exit);
        var second = await RunAsync(host, null, "consume", "views", "--group", "g1", "-n", "10", "-o", "json");
        var seen = first.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Concat(second.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            .Select(l => Json(l)).Select(r => (r.GetProperty("partition").GetInt32(), r.GetProperty("offset").GetInt64())).ToList();
        Assert.Equal(20, seen.Count);
        Assert.Equal(20, seen.Distinct().Count()); // nothing twice
        var lag = Json((await RunAsync(host, null, "groups", "describe", "g1", "views", "-o", "json")).Out);
        Assert.Equal(10, lag.GetProperty("lag").GetInt64());
        Assert.Equal(0, (await RunAsync(host, null, "consume", "views", "--group", "g1", "-n", "5", "--no-commit")).Exit);
        Assert.Equal(10, Json((await RunAsync(host, null, "groups", "describe", "g1", "views", "-o", "json")).Out).GetProperty("lag").GetInt64());
        var rest = await RunAsync(host, null, "consume", "views", "--group", "g1", "-n", "0", "-o", "json");
        Assert.Equal(10, rest.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(0, Json((await RunAsync(host, null, "groups", "describe", "g1", "views", "-o", "json")).Out).GetProperty("lag").GetInt64());
        var groups = Json((await RunAsync(host, null, "groups", "list", "--topic", "views", "-o", "json")).Out).GetProperty("groups").EnumerateArray().ToList();
        Assert.Contains(groups, g => g.GetProperty("group").GetString() == "g1" && g.GetProperty("lag").GetInt64() == 0);

        // Key filters: exact keys and a pattern; text format.
        var exact = await RunAsync(host, null, "consume", "views", "--key", "user-1", "--key", "user-3", "-n", "0", "-o", "json");
        var keys = exact.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => Json(l).GetProperty("key").GetString()).ToList();
        Assert.Equal(12, keys.Count);
        Assert.All(keys, k => Assert.Contains(k, new[] { "user-1", "user-3" }));
        var pattern = await RunAsync(host, null, "consume", "views", "--key-pattern", "^user-[04]$", "-n", "0", "--format", "text");
        Assert.Equal(12, pattern.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.All(pattern.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => Assert.Matches(@"^\d+:\d+ user-[04] \{""n"":\d+\}$", l));

        // From a time after everything: nothing; from the epoch: everything.
        Assert.Equal("", (await RunAsync(host, null, "consume", "views", "--from-time", DateTimeOffset.UtcNow.AddMinutes(5).ToString("O"), "-o", "json")).Out);
        Assert.Equal(30, (await RunAsync(host, null, "consume", "views", "--from-time", "0", "-n", "0", "-o", "json")).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        // Usage errors: a bad pattern, --offset N without a partition, --group with --offset.
        Assert.Equal(1, (await RunAsync(host, null, "consume", "views", "--key-pattern", "(")).Exit);
        Assert.Equal(1, (await RunAsync(host, null, "consume", "views", "--offset", "3")).Exit);
        Assert.Equal(1, (await RunAsync(host, null, "consume", "views", "--group", "g1", "--offset", "earliest")).Exit);

        // The commit endpoint refuses an offset outside the log and changes nothing.
        using var bad = new StringContent("""{"offsets":[{"partition":0,"offset":999}]}""", Encoding.UTF8, "application/json");
        HttpResponseMessage refused = await host.Client.PostAsync("/api/groups/g1/topics/views/commit", bad);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(0, Json((await RunAsync(host, null, "groups", "describe", "g1", "views", "-o", "json")).Out).GetProperty("lag").GetInt64());
    }

    [Fact]
    public async Task Ctrl_C_while_following_as_a_group_exits_130_without_a_stack_trace_and_commits_what_was_printed()
    {
        await using LocalHost host = await LocalHost.StartAsync(azurite, nameof(Ctrl_C_while_following_as_a_group_exits_130_without_a_stack_trace_and_commits_what_was_printed));
        Assert.Equal(0, (await RunAsync(host, null, "topics", "create", "tail")).Exit);
        Assert.Equal(0, (await RunAsync(host, null, "produce", "tail", "a", "b", "c")).Exit);
        using var interrupt = new CancellationTokenSource();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        string url = host.Client.BaseAddress!.ToString().TrimEnd('/');
        Task<int> following = CliApp.RunAsync(["consume", "tail", "--follow", "--group", "tailers", "-n", "0", "--format", "text", "--url", url, "--api-key", LocalHost.AdminKey], stdout, stderr, null, interrupt.Token);
        for (int i = 0; i < 100 && stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length < 3; i++) await Task.Delay(100);

        // While it still follows, what it printed is committed within a few seconds (as Kafka's auto-commit).
        long lag = -1;
        for (int i = 0; i < 60 && lag != 0; i++)
        {
            await Task.Delay(250);
            lag = Json((await RunAsync(host, null, "groups", "describe", "tailers", "tail", "-o", "json")).Out).GetProperty("lag").GetInt64();
        }

        Assert.Equal(0, lag);
        Assert.False(following.IsCompleted);
        await interrupt.CancelAsync();
        Assert.Equal(130, await following.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.DoesNotContain("   at ", stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal(3, stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(0, Json((await RunAsync(host, null, "groups", "describe", "tailers", "tail", "-o", "json")).Out).GetProperty("lag").GetInt64());
    }

    [Fact]
    public async Task Rules_silences_alerts_notifications_otlp_and_completion_work_from_the_command_line()
    {
        await using LocalHost host = await LocalHost.StartAsync(azurite, nameof(Rules_silences_alerts_notifications_otlp_and_completion_work_from_the_command_line));
        string rules = Path.Combine(Path.GetTempPath(), $"rules-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(rules, "groups:\n- name: demo\n  rules:\n  - alert: AlwaysOn\n    expr: vector(1)\n  - record: job:one\n    expr: vector(1)\n");
        try
        {
            var put = await RunAsync(host, null, "rules", "put", "demo", rules);
            Assert.Equal(0, put.Exit);
            Assert.Contains("2 rule(s)", put.Out, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(rules);
        }

        var listed = await RunAsync(host, null, "rules", "list", "--type", "alert", "-o", "json");
        Assert.Equal(0, listed.Exit);
        Assert.Equal(["AlwaysOn"], Json(listed.Out).GetProperty("data").GetProperty("groups")[0].GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("name").GetString()));
        var bad = await RunAsync(host, "groups:\n- name: x\n  rules:\n  - alert: A\n    expr: sum(\n", "rules", "put", "x", "-");
        Assert.Equal(2, bad.Exit);
        Assert.Contains("refused (400)", bad.Err, StringComparison.Ordinal);
        Assert.Equal(0, (await RunAsync(host, null, "alerts", "list", "-o", "json")).Exit);
        Assert.Equal(0, (await RunAsync(host, null, "rules", "delete", "demo")).Exit);
        Assert.Equal(2, (await RunAsync(host, null, "rules", "delete", "demo")).Exit); // gone: 404, not a second 204
        Assert.Equal(2, (await RunAsync(host, null, "keys", "revoke", "no-such-key")).Exit);

        var silence = await RunAsync(host, null, "silences", "create", "alertname=\"AlwaysOn\"", "--duration", "00:30:00", "--comment", "maintenance", "-o", "json");
        Assert.Equal(0, silence.Exit);
        string id = Json(silence.Out).GetProperty("silenceID").GetString()!;
        var silences = Json((await RunAsync(host, null, "silences", "list", "-o", "json")).Out).EnumerateArray().ToList();
        Assert.Contains(silences, s => s.GetProperty("id").GetString() == id && s.GetProperty("status").GetProperty("state").GetString() == "active");
        Assert.Equal(0, (await RunAsync(host, null, "silences", "expire", id)).Exit);
        Assert.Contains(Json((await RunAsync(host, null, "silences", "list", "-o", "json")).Out).EnumerateArray(), s => s.GetProperty("id").GetString() == id && s.GetProperty("status").GetProperty("state").GetString() == "expired");
        Assert.Equal(2, (await RunAsync(host, null, "silences", "create", "job=~\".*\"")).Exit); // would silence everything

        // A notification is a message on the notifications topic, keyed by its first recipient.
        Assert.Equal(0, (await RunAsync(host, null, "topics", "create", "notes")).Exit);
        var sent = await RunAsync(host, null, "notifications", "send", "--topic", "notes", "--email", "zoe@example.com", "--subject", "Hi", "--text", "Hello Zoë", "--id", "welcome-zoe");
        Assert.Equal(0, sent.Exit);
        JsonElement note = Json(await host.Client.GetStringAsync("/api/topics/notes/partitions/0/records?offset=0&format=json")).GetProperty("records")[0];
        Assert.Equal("zoe@example.com", note.GetProperty("key").GetString());
        Assert.Equal("welcome-zoe", note.GetProperty("value").GetProperty("id").GetString());
        Assert.Equal("Hello Zoë", note.GetProperty("value").GetProperty("body").GetProperty("text").GetString());
        Assert.Equal(1, (await RunAsync(host, null, "notifications", "send", "--topic", "notes", "--subject", "x", "--text", "y")).Exit); // no recipient
        Assert.Equal(2, (await RunAsync(host, null, "notifications", "status", "never-sent")).Exit);

        // OTLP: sent over the platform's OTLP/HTTP route, found in the OTLP topics under the service's key.
        var otlp = await RunAsync(host, null, "otlp", "send", "--service", "checkout", "--logs", "3", "--metrics", "4", "-o", "json");
        Assert.True(otlp.Exit == 0, otlp.Err + otlp.Out);
        var signals = Json(otlp.Out).GetProperty("signals").EnumerateArray().ToList();
        Assert.Equal(["logs", "metrics"], signals.Select(s => s.GetProperty("signal").GetString()));
        Assert.All(signals, s => Assert.True(s.TryGetProperty("offset", out _)));
        Assert.Equal(4, signals[1].GetProperty("sent").GetInt32());

        // Completion: a script per shell, and the tool answers the [suggest] directive the scripts use.
        var bash = await RunAsync(host, null, "completion", "bash");
        Assert.Contains("complete -o default -F _platform_complete platform", bash.Out, StringComparison.Ordinal);
        var stdout = new StringWriter();
        Assert.Equal(0, await CliApp.RunAsync(["[suggest:13]", "platform topi"], stdout, new StringWriter(), null, default));
        Assert.Equal(["topics"], stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Stream_jobs_are_put_described_paused_reset_queried_and_deleted_from_the_command_line()
    {
        await using LocalHost host = await LocalHost.StartAsync(azurite, nameof(Stream_jobs_are_put_described_paused_reset_queried_and_deleted_from_the_command_line));
        foreach (string topic in new[] { "clicks", "per-minute" }) Assert.Equal(0, (await RunAsync(host, null, "topics", "create", topic)).Exit);
        string definition = "from: clicks\nsteps:\n  - window: {tumbling: 60s, aggregate: {n: count}}\n  - to: per-minute\nresults: true\n";
        var put = await RunAsync(host, definition, "jobs", "put", "per-minute", "-");
        Assert.True(put.Exit == 0, put.Err);
        Assert.Contains("per-minute: running", put.Out, StringComparison.Ordinal);
        var refused = await RunAsync(host, "from: clicks\nsteps:\n  - map: '(('\n", "jobs", "put", "broken", "-");
        Assert.Equal(2, refused.Exit);
        Assert.Contains("not a JMESPath expression", refused.Err, StringComparison.Ordinal);

        Assert.Equal(0, (await RunAsync(host, "a|x\na|y\nb|z\n", "produce", "clicks", "--key-separator", "|")).Exit);
        Assert.Equal(0, (await RunAsync(host, null, "produce", "clicks", "--key-separator", "|", "late|ahead")).Exit);
        await host.Platform.Services.GetRequiredService<Platform.Core.Streams.Running.StreamJobRunner>().RunAllAsync(default);
        var described = Json((await RunAsync(host, null, "jobs", "describe", "per-minute", "-o", "json")).Out);
        Assert.Equal(0, described.GetProperty("lag").GetInt64());
        Assert.Contains("per-minute", (await RunAsync(host, null, "jobs", "list")).Out, StringComparison.Ordinal);
        Assert.Equal("paused", Json((await RunAsync(host, null, "jobs", "pause", "per-minute", "-o", "json")).Out).GetProperty("state").GetString());
        Assert.Equal("running", Json((await RunAsync(host, null, "jobs", "resume", "per-minute", "-o", "json")).Out).GetProperty("state").GetString());
        Assert.Equal(0, (await RunAsync(host, null, "jobs", "results", "per-minute", "-o", "json")).Exit);
        Assert.Equal(0, (await RunAsync(host, null, "jobs", "reset", "per-minute", "--to", "earliest")).Exit);
        Assert.Equal(1, (await RunAsync(host, null, "jobs", "delete", "per-minute")).Exit);
        Assert.Equal(0, (await RunAsync(host, null, "jobs", "delete", "per-minute", "--yes")).Exit);
        Assert.Equal(2, (await RunAsync(host, null, "jobs", "describe", "per-minute")).Exit);
    }

    [Fact]
    public async Task Produce_of_a_100000_line_file_with_the_progress_display_appends_every_record_once()
    {
        await using LocalHost host = await LocalHost.StartAsync(azurite, nameof(Produce_of_a_100000_line_file_with_the_progress_display_appends_every_record_once));
        Assert.Equal(0, (await RunAsync(host, null, "topics", "create", "clicks", "-p", "4")).Exit);
        string file = Path.Combine(Path.GetTempPath(), $"clicks-{Guid.NewGuid():N}.ndjson");
        await File.WriteAllLinesAsync(file, Enumerable.Range(0, 100_000).Select(i => $"user-{i % 1000}|{{\"page\":\"/p/{i % 50}\",\"n\":{i}}}"));
        try
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            string url = host.Client.BaseAddress!.ToString().TrimEnd('/');
            int exit = await CliApp.RunAsync(["produce", "clicks", "--file", file, "--key-separator", "|", "--json", "--idempotent", "--progress", "always", "-o", "json", "--url", url, "--api-key", LocalHost.AdminKey],
                stdout, stderr, null, default, stderrIsTerminal: true);
            Assert.True(exit == 0, stderr.ToString());
            Assert.Equal(100_000, Json(stdout.ToString()).GetProperty("records").GetInt64());
            Assert.Contains("records/s", stdout.ToString().Replace("recordsPerSecond", "records/s", StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.Contains("100,000 records", stderr.ToString(), StringComparison.Ordinal); // the display's last frame
            long total = Json(await host.Client.GetStringAsync("/api/topics/clicks")).GetProperty("offsets").EnumerateArray().Sum(p => p.GetProperty("latestOffset").GetInt64());
            Assert.Equal(100_000, total);

            // The same run again (as after a failure) appends nothing.
            Assert.Equal(0, await CliApp.RunAsync(["produce", "clicks", "--file", file, "--key-separator", "|", "--json", "--idempotent", "--url", url, "--api-key", LocalHost.AdminKey], new StringWriter(), new StringWriter(), null, default));
            Assert.Equal(100_000, Json(await host.Client.GetStringAsync("/api/topics/clicks")).GetProperty("offsets").EnumerateArray().Sum(p => p.GetProperty("latestOffset").GetInt64()));
        }
        finally
        {
            File.Delete(file);
        }

        // A line that is not JSON stops the run before its batch is sent, naming the line.
        var broken = await RunAsync(host, "{\"ok\":1}\nnot json\n", "produce", "clicks", "--json");
        Assert.Equal(1, broken.Exit);
        Assert.Contains("Line 2 is not JSON", broken.Err, StringComparison.Ordinal);
        Assert.Equal(100_000, Json(await host.Client.GetStringAsync("/api/topics/clicks")).GetProperty("offsets").EnumerateArray().Sum(p => p.GetProperty("latestOffset").GetInt64()));
    }
}
