using Newtonsoft.Json.Linq;
using Platform.Core.Consumers;
using Platform.Core.Streams;
using Platform.Core.Streams.Running;

namespace Platform.Tests.Streams;

/// <summary>A job in C#, windows emitting updates, a record that closes more windows than one commit holds, and a reset.</summary>
public sealed class StreamJobMoreTests
{
    private sealed class BigOrders : IStreamJob
    {
        public StreamJob Build() => StreamJobBuilder.Named("big-orders")
            .From("orders")
            .Where(r => r.Value?["total"]?.Value<double>() >= 100)
            .Select(r => new JObject { ["order"] = r.Value!["order"], ["customer"] = r.Value["customer"] })
            .RekeyBy(r => r.Value?["customer"]?.Value<string>())
            .To("big-orders")
            .Build();
    }

    [Fact]
    public async Task A_job_written_in_csharp_runs_on_the_same_engine()
    {
        await using var rig = new StreamRig(null, new BigOrders());
        await rig.CreateTopicAsync("orders", 2);
        await rig.CreateTopicAsync("big-orders");
        await rig.ProduceAsync("orders", ("o1", """{"order":1,"customer":"zoe","total":150}""", 1), ("o2", """{"order":2,"customer":"ann","total":20}""", 2), ("o3", """{"order":3,"customer":"bob","total":100}""", 3));
        await StreamJobTests.RunUntilDoneAsync(rig);
        var out_ = await rig.ReadAllAsync("big-orders");
        Assert.Equal(["bob", "zoe"], out_.Select(o => StreamRig.Key(o.Record)).Order());
        Assert.Equal("code", Assert.Single(await rig.Catalog.ListAsync(default)).Job.Epoch); // no window: one epoch for ever
        await Assert.ThrowsAsync<StreamJobConflictException>(() => rig.Catalog.PutAsync("big-orders", "from: orders\nsteps:\n  - to: big-orders\n", default));
    }

    [Fact]
    public async Task Emit_updates_hands_on_the_current_value_of_each_changed_window_then_the_final_one()
    {
        await using var rig = new StreamRig();
        await rig.CreateTopicAsync("events");
        await rig.CreateTopicAsync("counts");
        await rig.Catalog.PutAsync("counts", "from: events\nsteps:\n  - window: {tumbling: 60s, emit: updates, aggregate: {n: count}}\n  - to: counts\n", default);
        await rig.ProduceAsync("events", ("k", "{}", 1_000), ("k", "{}", 2_000));
        await StreamJobTests.RunUntilDoneAsync(rig);
        await rig.ProduceAsync("events", ("k", "{}", 3_000), ("k", "{}", 61_000));
        await StreamJobTests.RunUntilDoneAsync(rig);
        var results = (await rig.ReadAllAsync("counts")).Select(o => StreamRig.Json(o.Record)).Where(r => r.GetProperty("start").GetInt64() == 0).ToList();
        Assert.Equal([(2L, false), (3L, true)], results.Select(r => (r.GetProperty("n").GetInt64(), r.GetProperty("final").GetBoolean())));
    }

    [Fact]
    public async Task A_record_that_closes_more_windows_than_one_commit_holds_closes_them_all_over_several_commits()
    {
        await using var rig = new StreamRig();
        await rig.CreateTopicAsync("views");
        await rig.CreateTopicAsync("per-page");
        await rig.Catalog.PutAsync("per-page", "from: views\nsteps:\n  - window: {tumbling: 60s, aggregate: {n: count, users: {distinct: user}}}\n  - to: per-page\nresults: true\n", default);
        // 250 pages in minute 0, committed; then one record of minute 5 closes all 250 (a commit holds at most 90 changes).
        await rig.ProduceAsync("views", [.. Enumerable.Range(0, 250).Select(i => ((string?)$"/p/{i}", $$"""{"user":"u{{i}}"}""", 1_000L + i))]);
        await StreamJobTests.RunUntilDoneAsync(rig);
        await rig.ProduceAsync("views", ("/late", """{"user":"x"}""", 300_000));
        await StreamJobTests.RunUntilDoneAsync(rig);
        var results = (await rig.ReadAllAsync("per-page")).Select(o => StreamRig.Json(o.Record)).ToList();
        Assert.Equal(250, results.Count);
        Assert.All(results, r => Assert.Equal(1, r.GetProperty("n").GetInt64()));
        Assert.Equal(250, (await rig.Store.QueryResultsAsync((await rig.Catalog.GetAsync("per-page", default)).Job.StateId, null, 0, long.MaxValue, 1_000, default)).Count);
    }

    [Fact]
    public async Task A_reset_starts_a_new_epoch_whose_outputs_are_written_again_and_whose_windows_start_empty()
    {
        await using var rig = new StreamRig();
        await rig.CreateTopicAsync("events");
        await rig.CreateTopicAsync("copies");
        await rig.Catalog.PutAsync("copy", "from: events\nsteps:\n  - map: '{n: n}'\n  - to: copies\n", default);
        await rig.ProduceAsync("events", ("a", """{"n":1}""", 1), ("b", """{"n":2}""", 2));
        await StreamJobTests.RunUntilDoneAsync(rig);
        string before = (await rig.Catalog.GetAsync("copy", default)).Job.Epoch;
        await rig.Catalog.ResetAsync("copy", ResetTarget.Earliest, 0, default);
        Assert.NotEqual(before, (await rig.Catalog.GetAsync("copy", default)).Job.Epoch);
        await StreamJobTests.RunUntilDoneAsync(rig);
        Assert.Equal(4, (await rig.ReadAllAsync("copies")).Count); // written again from earliest: not mistaken for the first epoch's

        await rig.Catalog.ResetAsync("copy", ResetTarget.Latest, 0, default);
        await rig.ProduceAsync("events", ("c", """{"n":3}""", 3));
        await StreamJobTests.RunUntilDoneAsync(rig);
        Assert.Equal(5, (await rig.ReadAllAsync("copies")).Count);
        Assert.Equal(3, StreamRig.Json((await rig.ReadAllAsync("copies"))[^1].Record).GetProperty("n").GetInt32());
    }
}
