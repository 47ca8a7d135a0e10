using System.Text.Json;
using Platform.Cli;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Cli;

/// <summary>The `platform` command line against the local host: happy paths, JSON output, refusals (exit 2), a dead endpoint (exit 3), usage errors (exit 1).</summary>
[Collection(AzuriteCollection.Name)]
public sealed class CliTests(AzuriteFixture azurite)
{
    private static Task<(int Exit, string Out, string Err)> RunAsync(LocalHost host, string? stdin, params string[] args) => CliRun.RunAsync(host, stdin, args);

    [Fact]
    public async Task Topics_produce_and_consume_work_with_tables_and_json_and_failures_have_their_exit_codes()
    {
        await using LocalHost host = await LocalHost.StartAsync(azurite, nameof(Topics_produce_and_consume_work_with_tables_and_json_and_failures_have_their_exit_codes));

        var status = await RunAsync(host, null, "status");
        Assert.Equal(0, status.Exit);
        Assert.Contains(": ok,", status.Out, StringComparison.Ordinal);

        var created = await RunAsync(host, null, "topics", "create", "orders", "--partitions", "2", "--compression", "zstd");
        Assert.Equal(0, created.Exit);
        Assert.Contains("Created topic 'orders' with 2 partition(s).", created.Out, StringComparison.Ordinal);

        var listed = await RunAsync(host, null, "topics", "list", "--output", "json");
        Assert.Equal(0, listed.Exit);
        using (JsonDocument json = JsonDocument.Parse(listed.Out))
        {
            Assert.Contains(json.RootElement.GetProperty("topics").EnumerateArray(), t => t.GetProperty("name").GetString() == "orders");
        }

        var table = await RunAsync(host, null, "topics", "list");
        Assert.Contains("orders", table.Out, StringComparison.Ordinal);
        Assert.Contains("zstd", table.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[", table.Out, StringComparison.Ordinal); // no colour codes when not a terminal

        // From arguments, then NDJSON with keys from standard input; both to partition 0 (one key) for the consume check.
        Assert.Equal(0, (await RunAsync(host, null, "produce", "orders", "first", "second")).Exit);
        var piped = await RunAsync(host, "k1|{\"n\":1}\nk1|{\"n\":2}\n", "produce", "orders", "--key-separator", "|", "--json", "--output", "json");
        Assert.Equal(0, piped.Exit);
        Assert.Equal(2, JsonDocument.Parse(piped.Out).RootElement.GetProperty("records").GetInt32());

        int keyed = Enumerable.Range(0, 2).First(p => JsonDocument.Parse(host.Client.GetStringAsync($"/api/topics/orders/partitions/{p}/records?offset=earliest&format=json").Result)
            .RootElement.GetProperty("records").EnumerateArray().Any(r => r.TryGetProperty("key", out var k) && k.GetString() == "k1"));
        var consumed = await RunAsync(host, null, "consume", "orders", "--partition", keyed.ToString(System.Globalization.CultureInfo.InvariantCulture), "--output", "json");
        Assert.Equal(0, consumed.Exit);
        var lines = consumed.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).Where(r => r.TryGetProperty("key", out var k) && k.GetString() == "k1").ToList();
        Assert.Equal([1, 2], lines.Select(r => r.GetProperty("value").GetProperty("n").GetInt32()));

        // A group that read partition 0, then a reset to earliest as a dry run: nothing changes.
        Assert.True((await host.Client.PostAsync($"/api/groups/reports/topics/orders/reset", new StringContent("""{"to":"latest"}""", System.Text.Encoding.UTF8, "application/json"))).IsSuccessStatusCode);
        var before = await RunAsync(host, null, "groups", "describe", "reports", "orders", "-o", "json");
        var dry = await RunAsync(host, null, "groups", "reset", "reports", "orders", "--to", "earliest", "--dry-run", "-o", "json");
        Assert.Equal(0, dry.Exit);
        Assert.All(JsonDocument.Parse(dry.Out).RootElement.GetProperty("partitions").EnumerateArray(), p => Assert.Equal(0, p.GetProperty("wouldBe").GetInt64()));
        Assert.Equal(before.Out, (await RunAsync(host, null, "groups", "describe", "reports", "orders", "-o", "json")).Out);
        Assert.Equal(0, (await RunAsync(host, null, "groups", "reset", "reports", "orders", "--to", "earliest")).Exit);
        Assert.Contains("total lag: 4", (await RunAsync(host, null, "groups", "describe", "reports", "orders")).Out, StringComparison.Ordinal);

        var key = await RunAsync(host, null, "keys", "create", "exporter", "--topics", "orders", "--operations", "produce", "-o", "json");
        Assert.Equal(0, key.Exit);
        Assert.StartsWith("plk_", JsonDocument.Parse(key.Out).RootElement.GetProperty("key").GetString(), StringComparison.Ordinal);

        // --idempotent: the same input twice is appended once.
        Assert.Equal(0, (await RunAsync(host, "a\nb\nc\n", "topics", "create", "once")).Exit);
        Assert.Equal(0, (await RunAsync(host, "a\nb\nc\n", "produce", "once", "--idempotent")).Exit);
        Assert.Equal(0, (await RunAsync(host, "a\nb\nc\n", "produce", "once", "--idempotent")).Exit);
        Assert.Equal(3, JsonDocument.Parse(await host.Client.GetStringAsync("/api/topics/once/partitions/0/records?offset=earliest")).RootElement.GetProperty("records").GetArrayLength());

        // --follow sees records produced after it started, then stops at --max.
        Task<(int Exit, string Out, string Err)> following = RunAsync(host, null, "consume", "orders", "--follow", "--max", "2", "-o", "json");
        await Task.Delay(1500);
        Assert.Equal(0, (await RunAsync(host, null, "produce", "orders", "live-1", "live-2")).Exit);
        var followed = await following.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, followed.Exit);
        Assert.Equal(["live-1", "live-2"], followed.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("value").GetString()).Order());

        var described = await RunAsync(host, null, "topics", "describe", "orders");
        Assert.Equal(0, described.Exit);
        Assert.Contains("earliest", described.Out, StringComparison.Ordinal);

        // Refused by the server: exit 2 with its problem detail, nothing on stdout, no stack trace.
        var refused = await RunAsync(host, null, "topics", "create", "Not-Valid");
        Assert.Equal(2, refused.Exit);
        Assert.Contains("refused (400)", refused.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", refused.Err, StringComparison.Ordinal);
        var missing = await RunAsync(host, null, "topics", "describe", "nope");
        Assert.Equal(2, missing.Exit);

        // Usage: exit 1.
        Assert.Equal(1, (await RunAsync(host, null, "topics", "create")).Exit);
        Assert.Equal(1, (await RunAsync(host, null, "consume", "orders", "--offset", "yesterday")).Exit);
        Assert.Equal(1, (await RunAsync(host, null, "produce", "orders", "--json")).Exit); // nothing to produce
    }

    [Fact]
    public async Task A_dead_endpoint_is_exit_3_with_what_could_not_be_reached()
    {
        var stderr = new StringWriter();
        int exit = await CliApp.RunAsync(["status", "--url", "http://127.0.0.1:1", "--api-key", "x"], new StringWriter(), stderr, null, default);
        Assert.Equal(3, exit);
        Assert.Contains("Cannot reach http://127.0.0.1:1", stderr.ToString(), StringComparison.Ordinal);

        // A URL without its scheme is a usage error with a message, not a stack trace.
        var bad = new StringWriter();
        Assert.Equal(1, await CliApp.RunAsync(["status", "--url", "localhost:7071", "--api-key", "x"], new StringWriter(), bad, null, default));
        Assert.Contains("is not an http(s) URL", bad.ToString(), StringComparison.Ordinal);
    }
}
