using System.Text;
using System.Text.Json;
using Platform.Core.Log;
using Platform.Core.Log.Partitioning;
using Platform.Core.Log.Topics;
using Platform.Core.Storage;
using Platform.Core.Streams.Running;

namespace Platform.Tests.Streams;

/// <summary>Every step of a stream job, on the runtime over in-memory storage.</summary>
public sealed class StreamJobTests
{
    internal static async Task RunUntilDoneAsync(StreamRig rig, params StreamJobRunner[] runners)
    {
        StreamJobRunner[] all = runners.Length > 0 ? runners : [rig.Runner];
        for (int round = 0; round < 200; round++)
        {
            foreach (StreamJobRunner runner in all)
            {
                try
                {
                    await runner.RunAllAsync(default);
                }
                catch (InvalidOperationException)
                {
                    // an injected crash surfacing outside a task: the next round goes on
                }
            }

            bool done = true;
            foreach (CatalogJob job in await rig.Catalog.ListAsync(default))
            {
                if ((await rig.Catalog.StatusAsync(job.Job, default)).Any(s => s.Lag > 0 || s.Next is null)) done = false;
            }

            if (done) return;
        }

        throw new TimeoutException("The jobs did not catch up in 200 rounds.");
    }

    [Fact]
    public async Task Filter_map_and_rekey_write_each_record_once_on_its_key_partition_in_order_and_bad_records_go_to_the_dead_letter_topic()
    {
        await using var rig = new StreamRig();
        await rig.CreateTopicAsync("clicks", 2);
        await rig.CreateTopicAsync("by-page", 3);
        await rig.Catalog.PutAsync("by-page", """
            from: clicks
            steps:
              - filter: "page != null"
              - map: "{user: user, page: page, n: n, at: format_time(ts)}"
              - rekey: page
              - to: by-page
            """, default);
        var input = Enumerable.Range(0, 300).Select(i => ((string?)$"user-{i % 7}", i % 10 == 0 ? $$"""{"user":"user-{{i % 7}}","n":{{i}},"ts":{{i * 1000}}}""" : $$"""{"user":"user-{{i % 7}}","page":"/p/{{i % 5}}","n":{{i}},"ts":{{i * 1000}}}""", (long)i)).ToArray();
        await rig.ProduceAsync("clicks", input);
        await rig.ProduceAsync("clicks", ("user-1", "not json {", 999));
        await RunUntilDoneAsync(rig);

        var output = await rig.ReadAllAsync("by-page");
        Assert.Equal(270, output.Count); // every tenth had no page
        Assert.Equal(270, output.Select(o => StreamRig.Json(o.Record).GetProperty("n").GetInt32()).Distinct().Count());
        foreach (var (partition, record) in output)
        {
            string page = StreamRig.Key(record)!;
            Assert.Equal(Murmur2.Partition(Encoding.UTF8.GetBytes(page), 3), partition);
            JsonElement value = StreamRig.Json(record);
            Assert.Equal(page, value.GetProperty("page").GetString());
            Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(value.GetProperty("n").GetInt32() * 1000L).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"), value.GetProperty("at").GetString());
        }

        // Records of one input key keep their order within each output key.
        foreach (var group in output.GroupBy(o => (StreamRig.Key(o.Record), StreamRig.Json(o.Record).GetProperty("user").GetString())))
        {
            var ns = group.Select(o => StreamRig.Json(o.Record).GetProperty("n").GetInt32()).ToList();
            Assert.Equal(ns.Order(), ns);
        }

        var dead = Assert.Single(await rig.ReadAllAsync("job.by-page.dlq"));
        Assert.Equal("not json {", Encoding.UTF8.GetString(dead.Record.Value!.Value.Span));
        Assert.StartsWith("not JSON", Encoding.UTF8.GetString(dead.Record.Headers.Single(h => h.Key == "job.error").Value!.Value.Span), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tumbling_count_closes_each_window_after_its_grace_takes_records_within_it_and_counts_later_ones_as_late()
    {
        await using var rig = new StreamRig();
        await rig.CreateTopicAsync("views");
        await rig.CreateTopicAsync("per-minute");
        await rig.CreateTopicAsync("late-views");
        await rig.Catalog.PutAsync("per-minute", """
            from: views
            steps:
              - window:
                  tumbling: 60s
                  time: ts
                  grace: 10s
                  late: late-views
                  aggregate:
                    views: count
                    users: {distinct: user}
                    total: {sum: ms}
                    fastest: {min: ms}
                    slowest: {max: ms}
                    mean: {avg: ms}
                    median: {percentile: ms, q: 0.5}
              - to: per-minute
            results: true
            """, default);
        (string, string, long) View(string page, string user, int seconds, int ms) => (page, $$"""{"user":"{{user}}","ts":{{seconds * 1000}},"ms":{{ms}}}""", seconds * 1000L);
        await rig.ProduceAsync("views",
            View("a", "u1", 1, 10), View("a", "u2", 2, 20), View("b", "u1", 10, 5), View("a", "u1", 30, 30),
            View("a", "u3", 65, 7),   // minute 1; the watermark is 65 s: minute 0 is open until 70 s
            View("a", "u4", 5, 40),   // late, but within the grace: counted in minute 0
            View("b", "u2", 71, 1),   // the watermark passes 70 s: minute 0 closes
            View("a", "u9", 20, 99),  // minute 0 is closed: late
            View("z", "u1", 200, 1)); // closes minute 1
        await RunUntilDoneAsync(rig);

        var results = (await rig.ReadAllAsync("per-minute")).Select(o => StreamRig.Json(o.Record)).ToList();
        Assert.Equal([("a", 0L), ("b", 0L), ("a", 60_000L), ("b", 60_000L)], results.Select(r => (r.GetProperty("key").GetString()!, r.GetProperty("start").GetInt64())));
        JsonElement a0 = results[0];
        Assert.Equal(4, a0.GetProperty("views").GetInt64());
        Assert.Equal(3, a0.GetProperty("users").GetInt64());
        Assert.Equal(100, a0.GetProperty("total").GetDouble());
        Assert.Equal(10, a0.GetProperty("fastest").GetDouble());
        Assert.Equal(40, a0.GetProperty("slowest").GetDouble());
        Assert.Equal(25, a0.GetProperty("mean").GetDouble());
        Assert.InRange(a0.GetProperty("median").GetDouble(), 19.8, 20.2);
        Assert.Equal(60_000, a0.GetProperty("end").GetInt64());
        Assert.True(a0.GetProperty("final").GetBoolean());
        Assert.All(results.Skip(1), r => Assert.Equal(1, r.GetProperty("views").GetInt64()));

        var late = Assert.Single(await rig.ReadAllAsync("late-views"));
        Assert.Equal(99, StreamRig.Json(late.Record).GetProperty("ms").GetInt32());
        CatalogJob job = await rig.Catalog.GetAsync("per-minute", default);
        Assert.Equal(1, (await rig.Catalog.StatusAsync(job.Job, default)).Sum(s => s.Late));

        string stateId = job.Job.StateId;
        var kept = await rig.Store.QueryResultsAsync(stateId, "a", 0, long.MaxValue, 10, default);
        Assert.Equal([4L, 1L], kept.Select(r => r.Value.Value<long>("views")));
        Assert.Single(await rig.Store.QueryResultsAsync(stateId, "a", 60_000, 120_000, 10, default));
    }

    [Fact]
    public async Task Hopping_windows_hold_a_record_in_each_window_it_falls_in_and_sessions_merge_when_a_record_bridges_them()
    {
        await using var rig = new StreamRig();
        await rig.CreateTopicAsync("events");
        await rig.CreateTopicAsync("hops");
        await rig.CreateTopicAsync("sessions");
        await rig.Catalog.PutAsync("hops", "from: events\nsteps:\n  - window: {hopping: {size: 60s, advance: 30s}, aggregate: {n: count}}\n  - to: hops\n", default);
        await rig.Catalog.PutAsync("sessions", "from: events\nsteps:\n  - window: {session: {gap: 30s}, grace: 60s, aggregate: {n: count}}\n  - to: sessions\n", default);
        long[] seconds = [0, 10, 45, 100, 120, 300, 340, 320, 1000];
        await rig.ProduceAsync("events", [.. seconds.Select(s => ((string?)"k", "{}", s * 1000))]);
        await RunUntilDoneAsync(rig);

        var hops = (await rig.ReadAllAsync("hops")).Select(o => StreamRig.Json(o.Record)).ToDictionary(r => r.GetProperty("start").GetInt64() / 1000, r => r.GetProperty("n").GetInt64());
        Assert.Equal(2, hops[-30]); // 0, 10
        Assert.Equal(3, hops[0]);   // 0, 10, 45
        Assert.Equal(1, hops[30]);  // 45
        Assert.Equal(1, hops[60]);  // 100
        Assert.Equal(2, hops[90]);  // 100, 120

        var sessions = (await rig.ReadAllAsync("sessions")).Select(o => StreamRig.Json(o.Record)).Select(r => (r.GetProperty("start").GetInt64() / 1000, r.GetProperty("end").GetInt64() / 1000, r.GetProperty("n").GetInt64())).ToList();
        // 45 s is past the first session's end (10 s + 30 s gap); 320 s bridges [300, 330) and [340, 370) within the grace.
        Assert.Equal([(0L, 40L, 2L), (45L, 75L, 1L), (100L, 150L, 2L), (300L, 370L, 3L)], sessions);
    }

    [Fact]
    public async Task A_join_adds_the_table_value_left_keeps_records_without_a_match_and_inner_drops_them()
    {
        await using var rig = new StreamRig();
        await rig.CreateTopicAsync("orders", 2);
        await rig.CreateTopicAsync("users", 2, CleanupPolicy.Compact);
        await rig.CreateTopicAsync("enriched");
        await rig.CreateTopicAsync("matched");
        foreach ((string user, string profile) in new[] { ("zoe", """{"country":"NL"}"""), ("ann", """{"country":"FR"}""") })
        {
            byte[] key = Encoding.UTF8.GetBytes(user);
            var partition = new TopicPartition("users", Murmur2.Partition(key, 2));
            var position = await rig.Views.GetPositionAsync(partition, default);
            await rig.Views.ApplyAsync(partition, [(key, new KeyedEntry(key, Encoding.UTF8.GetBytes(profile), 0, 0, 0))], (position?.NextOffset ?? 0) + 1, position, default);
        }

        await rig.Catalog.PutAsync("enrich", "from: orders\nsteps:\n  - join: {table: users, on: customer, as: user}\n  - map: '{order: order, country: user.country}'\n  - to: enriched\n", default);
        await rig.Catalog.PutAsync("matched", "from: orders\nsteps:\n  - join: {table: users, on: customer, type: inner}\n  - to: matched\n", default);
        await rig.ProduceAsync("orders", ("o1", """{"order":1,"customer":"zoe"}""", 1), ("o2", """{"order":2,"customer":"bob"}""", 2), ("o3", """{"order":3,"customer":"ann"}""", 3));
        await RunUntilDoneAsync(rig);

        var enriched = (await rig.ReadAllAsync("enriched")).Select(o => StreamRig.Json(o.Record)).OrderBy(r => r.GetProperty("order").GetInt32()).ToList();
        Assert.Equal(["NL", null, "FR"], enriched.Select(r => r.GetProperty("country").ValueKind == JsonValueKind.Null ? null : r.GetProperty("country").GetString()));
        var matched = (await rig.ReadAllAsync("matched")).Select(o => StreamRig.Json(o.Record)).ToList();
        Assert.Equal([1, 3], matched.Select(r => r.GetProperty("order").GetInt32()).Order());
        Assert.All(matched, r => Assert.Equal(JsonValueKind.Object, r.GetProperty("users").ValueKind));
    }

    [Fact]
    public async Task A_job_is_refused_at_upload_when_its_topics_or_tables_cannot_serve_it_and_a_second_definition_under_its_name_is_refused()
    {
        await using var rig = new StreamRig();
        await rig.CreateTopicAsync("in");
        await rig.CreateTopicAsync("plain");
        var missing = await Assert.ThrowsAsync<Platform.Core.Streams.Definition.StreamJobException>(() => rig.Catalog.PutAsync("j", "from: in\nsteps:\n  - to: nowhere\n", default));
        Assert.Contains("Topic 'nowhere' does not exist", missing.Message, StringComparison.Ordinal);
        var notCompacted = await Assert.ThrowsAsync<Platform.Core.Streams.Definition.StreamJobException>(() => rig.Catalog.PutAsync("j", "from: in\nsteps:\n  - join: {table: plain}\n  - to: in\n", default));
        Assert.Contains("not a compacted topic", notCompacted.Message, StringComparison.Ordinal);
        Assert.Empty(await rig.Store.ListJobsAsync(default));

        Assert.True((await rig.Catalog.PutAsync("j", "from: in\nsteps:\n  - to: plain\n", default)).Created);
        Assert.False((await rig.Catalog.PutAsync("j", "from: in\nsteps:\n  - to: plain\n", default)).Created); // the same again: nothing changes
        await Assert.ThrowsAsync<StreamJobConflictException>(() => rig.Catalog.PutAsync("j", "from: in\nsteps:\n  - filter: a\n  - to: plain\n", default));
    }
}
