using System.Text.Json;
using Platform.Core.Storage.InMemory;

namespace Platform.Tests.Streams;

/// <summary>
/// Exactly once under crashes between a sub-batch's output and its commit, again and again; a two-stage topology
/// (re-key, then count); two instances sharing the partitions.
/// </summary>
public sealed class StreamExactlyOnceTests
{
    private const string Rekey = "from: views\nsteps:\n  - rekey: user\n  - to: by-user\n";
    private const string Count = "from: by-user\nsteps:\n  - window: {tumbling: 60s, time: ts, grace: 10m, aggregate: {views: count, pages: {distinct: page}}}\n  - to: per-user-minute\nresults: true\n";

    private static (string?, string, long)[] Views(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            int user = random.Next(40), minute = i * 7 / count; // event time moves forward, with some disorder inside a minute
            long ts = (minute * 60_000L) + random.Next(60_000);
            return ((string?)$"session-{random.Next(9)}", $$"""{"user":"user-{{user}}","page":"/p/{{random.Next(12)}}","n":{{i}},"ts":{{ts}}}""", ts);
        })];
    }

    /// <summary>
    /// One record far ahead in event time on every partition of by-user: each task's watermark is its own partition's
    /// (as Kafka Streams' stream time is per task), so each partition needs one to close its windows.
    /// </summary>
    private static (string?, string, long)[] Closers()
    {
        var users = new Dictionary<int, string>();
        for (int i = 0; users.Count < 4; i++)
        {
            string user = $"closer-{i}";
            users.TryAdd(Platform.Core.Log.Partitioning.Murmur2.Partition(System.Text.Encoding.UTF8.GetBytes(user), 4), user);
        }

        return [.. users.Values.Select((u, i) => ((string?)"session-0", $$"""{"user":"{{u}}","page":"/","n":{{-1 - i}},"ts":9000000}""", 9_000_000L))];
    }

    [Theory]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(10)]
    public async Task Crashes_between_output_and_commit_never_double_an_output_record_and_every_window_count_is_exact(int seed)
    {
        var crashing = new CrashingStreamStore(new InMemoryStreamStore(), rate: 0.35, seed: seed);
        await using var rig = new StreamRig(crashing);
        await rig.CreateTopicAsync("views", 3);
        await rig.CreateTopicAsync("by-user", 4);
        await rig.CreateTopicAsync("per-user-minute", 2);
        await rig.Catalog.PutAsync("by-user", Rekey, default);
        await rig.Catalog.PutAsync("per-user-minute", Count, default);
        var views = Views(3_000, seed: seed + 100);
        await rig.ProduceAsync("views", views);
        await StreamJobTests.RunUntilDoneAsync(rig);
        // Then, once every view went through both stages, a record far ahead on each partition closes the windows.
        await rig.ProduceAsync("views", Closers());
        await StreamJobTests.RunUntilDoneAsync(rig);
        Assert.True(crashing.Crashes > 5, $"only {crashing.Crashes} crashes were injected");

        var rekeyed = await rig.ReadAllAsync("by-user");
        Assert.Equal(views.Length + 4, rekeyed.Count);
        Assert.Equal(views.Length + 4, rekeyed.Select(o => StreamRig.Json(o.Record).GetProperty("n").GetInt32()).Distinct().Count());

        var expected = views.Select(v => JsonDocument.Parse(v.Item2).RootElement)
            .GroupBy(v => (v.GetProperty("user").GetString()!, v.GetProperty("ts").GetInt64() / 60_000 * 60_000))
            .ToDictionary(g => g.Key, g => (Views: (long)g.Count(), Pages: (long)g.Select(v => v.GetProperty("page").GetString()).Distinct().Count()));
        var results = (await rig.ReadAllAsync("per-user-minute")).Select(o => StreamRig.Json(o.Record)).ToList();
        var byWindow = results.GroupBy(r => (r.GetProperty("key").GetString()!, r.GetProperty("start").GetInt64())).ToList();
        Assert.All(byWindow, g => Assert.Single(g)); // no result written twice
        var actual = byWindow.ToDictionary(g => g.Key, g => (Views: g.Single().GetProperty("views").GetInt64(), Pages: g.Single().GetProperty("pages").GetInt64()));
        Assert.Equal(expected.Count, actual.Count);
        foreach (var (window, counts) in expected)
        {
            Assert.Equal(counts, actual[window]);
        }

        var kept = await rig.Store.QueryResultsAsync((await rig.Catalog.GetAsync("per-user-minute", default)).Job.StateId, null, 0, long.MaxValue, 10_000, default);
        Assert.Equal(expected.Count, kept.Count);
    }

    [Fact]
    public async Task Two_instances_share_the_partitions_and_together_count_every_record_once()
    {
        await using var rig = new StreamRig();
        await rig.CreateTopicAsync("views", 4);
        await rig.CreateTopicAsync("by-user", 4);
        await rig.CreateTopicAsync("per-user-minute", 2);
        await rig.Catalog.PutAsync("by-user", Rekey, default);
        await rig.Catalog.PutAsync("per-user-minute", Count, default);
        var other = rig.AnotherInstance();
        var views = Views(2_000, seed: 5);
        await rig.ProduceAsync("views", views[..1_000]);
        // Both run at once; then more records; then again, so that partitions move between them.
        await Task.WhenAll(rig.Runner.RunAllAsync(default), other.RunAllAsync(default));
        await rig.ProduceAsync("views", views[1_000..]);
        for (int i = 0; i < 5; i++) await Task.WhenAll(rig.Runner.RunAllAsync(default), other.RunAllAsync(default));
        await StreamJobTests.RunUntilDoneAsync(rig, rig.Runner, other);
        await rig.ProduceAsync("views", Closers());
        await StreamJobTests.RunUntilDoneAsync(rig, other, rig.Runner);

        var results = (await rig.ReadAllAsync("per-user-minute")).Select(o => StreamRig.Json(o.Record)).ToList();
        Assert.Equal(views.Length, results.Sum(r => r.GetProperty("views").GetInt64()));
        Assert.Equal(results.Count, results.Select(r => (r.GetProperty("key").GetString(), r.GetProperty("start").GetInt64())).Distinct().Count());
    }

    [Fact]
    public async Task An_instance_that_leaves_on_shutdown_hands_its_partitions_over_at_once()
    {
        await using var rig = new StreamRig();
        await rig.CreateTopicAsync("views", 4);
        await rig.CreateTopicAsync("by-user", 4);
        await rig.Catalog.PutAsync("by-user", Rekey, default);
        await rig.ProduceAsync("views", Views(200, seed: 3));
        await rig.Runner.RunAllAsync(default);
        await rig.Runner.LeaveAllAsync(default);
        Assert.Equal(0, await rig.Runner.RunAllAsync(default)); // stopped: it does not join again

        await rig.ProduceAsync("views", Views(100, seed: 4));
        var other = rig.AnotherInstance();
        Assert.Equal(100, await other.RunAllAsync(default)); // every partition at once, without waiting for claims to lapse
        Assert.Equal(300, (await rig.ReadAllAsync("by-user")).Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Crashes_while_a_record_closes_more_windows_than_one_commit_holds_double_nothing(int seed)
    {
        var crashing = new CrashingStreamStore(new InMemoryStreamStore(), rate: 0.4, seed: seed);
        await using var rig = new StreamRig(crashing);
        await rig.CreateTopicAsync("views");
        await rig.CreateTopicAsync("per-page");
        await rig.Catalog.PutAsync("per-page", "from: views\nsteps:\n  - window: {tumbling: 60s, aggregate: {n: count}}\n  - to: per-page\nresults: true\n", default);
        await rig.ProduceAsync("views", [.. Enumerable.Range(0, 250).Select(i => ((string?)$"/p/{i}", "{}", 1_000L + i))]);
        await StreamJobTests.RunUntilDoneAsync(rig);

        // One record of minute 5 closes all 250 windows of minute 0 (three commits' worth) and is counted in minute 5 itself,
        // with the records after it; a record of minute 10 closes minute 5.
        await rig.ProduceAsync("views", [("/late", "{}", 300_000L), .. Enumerable.Range(0, 10).Select(i => ((string?)$"/p/{i}", "{}", 301_000L + i)), ("/end", "{}", 600_000L)]);
        await StreamJobTests.RunUntilDoneAsync(rig);
        Assert.True(crashing.Crashes > 0);

        var results = (await rig.ReadAllAsync("per-page")).Select(o => StreamRig.Json(o.Record)).ToList();
        var windows = results.Select(r => (r.GetProperty("key").GetString(), r.GetProperty("start").GetInt64())).ToList();
        Assert.Equal(windows.Count, windows.Distinct().Count()); // no result written twice
        Assert.Equal(250 + 11, results.Count);
        Assert.All(results, r => Assert.Equal(1, r.GetProperty("n").GetInt64())); // no record counted twice
    }
}
