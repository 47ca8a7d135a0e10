using System.Text;
using Platform.Core.Consumers;
using Platform.Core.Log;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Consumers;

/// <summary>The consumer runtime's guarantees, run in process on the in-memory stores and again on Azurite.</summary>
public abstract class ConsumerRuntimeContract
{
    protected abstract Task<ConsumerRig> RigAsync(string test);

    private static async Task ProduceAsync(ConsumerRig rig, string topic, int from, int count) =>
        await rig.Engine.Producer.ProduceAsync(topic, [.. Enumerable.Range(from, count).Select(i => Records.Text($"v{i}", key: $"k{i % 13}"))], default);

    private static async Task RunUntilAsync(Func<bool> done, params (ConsumerRunner Runner, ConsumerRegistration Registration)[] instances)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!done())
        {
            Assert.True(DateTime.UtcNow < deadline, "the consumers did not finish in time");
            await Task.WhenAll(instances.Select(i => i.Runner.RunAsync(i.Registration, default)));
        }
    }

    [Fact]
    public async Task Two_instances_share_the_partitions_never_overlap_and_the_survivor_takes_over()
    {
        await using ConsumerRig rig = await RigAsync(nameof(Two_instances_share_the_partitions_never_overlap_and_the_survivor_takes_over));
        string topic = await rig.TopicAsync("clicks", 4);
        await ProduceAsync(rig, topic, 0, 200);
        var handler = new RecordingHandler();
        var registration = new ConsumerRegistration("reports", topic, handler);
        ConsumerRunner a = rig.Runner("instance-a"), b = rig.Runner("instance-b");

        await RunUntilAsync(() => handler.Seen.Count >= 200, (a, registration), (b, registration));

        // The first to run may hold everything until it sees the other's heartbeat; the balance settles within a few runs.
        var settle = DateTime.UtcNow.AddSeconds(60);
        var afterBoth = await Task.WhenAll(a.RunAsync(registration, default), b.RunAsync(registration, default));
        while ((afterBoth[0].Partitions.Count, afterBoth[1].Partitions.Count) != (2, 2) && DateTime.UtcNow < settle)
        {
            afterBoth = await Task.WhenAll(a.RunAsync(registration, default), b.RunAsync(registration, default));
        }

        Assert.Equal(0, handler.Overlaps);
        Assert.Equal(200, handler.Seen.Select(s => s.Value).Distinct().Count());
        Assert.Equal(2, afterBoth[0].Partitions.Count);
        Assert.Equal(2, afterBoth[1].Partitions.Count);
        Assert.Empty(afterBoth[0].Partitions.Intersect(afterBoth[1].Partitions));

        // a dies without a word; b takes its partitions once the claims expire, from the committed offsets.
        await ProduceAsync(rig, topic, 200, 100);
        await RunUntilAsync(() => handler.Seen.Count >= 300, (b, registration));
        Assert.Equal(4, (await b.RunAsync(registration, default)).Partitions.Count);
        Assert.Equal(300, handler.Seen.Count);  // nothing handled twice: every batch was committed before the death
        Assert.Equal(300, handler.Seen.Select(s => s.Value).Distinct().Count());
        Assert.All(await rig.Groups.GetLagAsync("reports", topic, default), l => Assert.Equal(0, l.Lag));
    }

    [Fact]
    public async Task A_crash_between_handling_and_commit_redelivers_and_loses_nothing()
    {
        await using ConsumerRig rig = await RigAsync(nameof(A_crash_between_handling_and_commit_redelivers_and_loses_nothing));
        string topic = await rig.TopicAsync("orders", 1);
        await ProduceAsync(rig, topic, 0, 20);
        using var crash = new CancellationTokenSource();
        var crashing = new CrashAfterHandling(crash);
        // 3 s claims: long enough that a loaded machine (CI, two cores) does not let a live claim lapse mid-run, which
        // rightly ends that run uncommitted and redelivers (at-least-once), but is not what this test is about.
        var options = new ConsumerOptions { ClaimDuration = TimeSpan.FromSeconds(3), FetchMaxRecords = 5, RetryBackoff = TimeSpan.FromMilliseconds(10) };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => rig.Runner("doomed", options).RunAsync(new ConsumerRegistration("billing", topic, crashing), crash.Token));
        Assert.Equal(5, crashing.Handled.Count);

        // The dead instance's claim expires on the storage's clock (whole seconds in Azurite's Date header); the heir then
        // takes over from the last commit.
        var handler = new RecordingHandler();
        ConsumerRunner heir = rig.Runner("heir", options);
        await RunUntilAsync(() => handler.Seen.Count >= 20, (heir, new ConsumerRegistration("billing", topic, handler)));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), handler.Seen.Select(s => s.Offset).Order());
    }

    [Fact]
    public async Task A_poison_record_is_dead_lettered_with_its_error_and_the_partition_moves_on()
    {
        await using ConsumerRig rig = await RigAsync(nameof(A_poison_record_is_dead_lettered_with_its_error_and_the_partition_moves_on));
        string topic = await rig.TopicAsync("notifications", 1);
        await rig.Engine.Producer.ProduceAsync(topic, [Records.Text("ok-1"), Records.Text("poison", key: "user-9"), Records.Text("ok-2")], default);
        var handler = new RecordingHandler(fails: r => r.Text() == "poison");
        RunResult result = await rig.Runner("only").RunAsync(new ConsumerRegistration("mailer", topic, handler), default);

        Assert.Equal((2, 1), (result.Handled, result.DeadLettered));
        Assert.Equal(["ok-1", "ok-2"], handler.Seen.Select(s => s.Value).Order());
        LogRecord dead = (await Records.ReadAllAsync(rig.Engine.Reader, DeadLetterWriter.TopicFor(topic), 0)).Single();
        Assert.Equal("poison", dead.Text());
        Assert.Equal("user-9", Encoding.UTF8.GetString(dead.Key!.Value.Span));
        string Header(string name) => Encoding.UTF8.GetString(dead.Headers.Single(h => h.Key == name).Value!.Value.Span);
        Assert.Equal("cannot handle poison", Header("dlq.error"));
        Assert.Equal(("1", topic, "mailer"), (Header("dlq.offset"), Header("dlq.topic"), Header("dlq.group")));
        Assert.Equal(3, (await rig.Checkpoints.GetAsync("mailer", new TopicPartition(topic, 0), default))!.Offset);
    }

    [Fact]
    public async Task Lag_is_reported_and_offsets_can_be_reset_to_earliest_latest_an_offset_or_a_time()
    {
        await using ConsumerRig rig = await RigAsync(nameof(Lag_is_reported_and_offsets_can_be_reset_to_earliest_latest_an_offset_or_a_time));
        string topic = await rig.TopicAsync("cdc", 2);
        await ProduceAsync(rig, topic, 0, 10);
        var handler = new RecordingHandler();
        var registration = new ConsumerRegistration("replica", topic, handler);
        Assert.Equal(10, (await rig.Groups.GetLagAsync("replica", topic, default)).Sum(l => l.Lag));
        await rig.Runner("r").RunAsync(registration, default);
        Assert.Equal(0, (await rig.Groups.GetLagAsync("replica", topic, default)).Sum(l => l.Lag));

        long before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await Task.Delay(20);
        await ProduceAsync(rig, topic, 10, 5);
        Assert.Equal(5, (await rig.Groups.GetLagAsync("replica", topic, default)).Sum(l => l.Lag));
        Assert.Equal(5, (await rig.Groups.ResetAsync("replica", topic, ResetTarget.Timestamp, before, default)).Sum(l => l.Lag));
        Assert.Equal(15, (await rig.Groups.ResetAsync("replica", topic, ResetTarget.Earliest, 0, default)).Sum(l => l.Lag));
        Assert.Equal(0, (await rig.Groups.ResetAsync("replica", topic, ResetTarget.Latest, 0, default)).Sum(l => l.Lag));
        await rig.Groups.ResetAsync("replica", topic, ResetTarget.Earliest, 0, default);
        await rig.Runner("r").RunAsync(registration, default);
        Assert.Equal(25, handler.Seen.Count); // 10 first, then all 15 replayed
    }

    [Fact]
    public async Task A_new_group_with_latest_reads_only_what_comes_after_it_joined()
    {
        await using ConsumerRig rig = await RigAsync(nameof(A_new_group_with_latest_reads_only_what_comes_after_it_joined));
        string topic = await rig.TopicAsync("live", 1);
        await ProduceAsync(rig, topic, 0, 5);
        var handler = new RecordingHandler();
        var registration = new ConsumerRegistration("tail", topic, handler, OffsetReset.Latest);
        ConsumerRunner runner = rig.Runner("t");
        await runner.RunAsync(registration, default);
        Assert.Empty(handler.Seen);
        await ProduceAsync(rig, topic, 5, 3);
        await runner.RunAsync(registration, default);
        Assert.Equal(["v5", "v6", "v7"], handler.Seen.Select(s => s.Value).Order());
    }

    private sealed class CrashAfterHandling(CancellationTokenSource crash) : IConsumerHandler
    {
        public List<long> Handled { get; } = [];

        public Task<IReadOnlyList<RecordFailure>> HandleAsync(ConsumerBatch batch, CancellationToken cancellationToken)
        {
            Handled.AddRange(batch.Records.Select(r => r.Offset));
            crash.Cancel(); // the process dies right after the handler's side effects, before the commit
            return Task.FromResult<IReadOnlyList<RecordFailure>>([]);
        }
    }

    // Regression: wake-ups for two partitions ran at once on one instance; one run claimed both partitions but
    // drained only its own, the other lost the claim race and drained nothing, so a partition waited for the sweep.
    [Fact]
    public async Task Concurrent_runs_for_different_woken_partitions_each_handle_their_partition()
    {
        await using ConsumerRig rig = await RigAsync(nameof(Concurrent_runs_for_different_woken_partitions_each_handle_their_partition));
        string topic = await rig.TopicAsync("woken", 2);
        await rig.Engine.Producer.ProduceAsync(topic, [Records.Text("a", partition: 0), Records.Text("b", partition: 1)], default);
        var handler = new RecordingHandler();
        var registration = new ConsumerRegistration("g", topic, handler);
        ConsumerRunner runner = rig.Runner("solo");
        RunResult[] runs = await Task.WhenAll(runner.RunAsync(registration, 0, default), runner.RunAsync(registration, 1, default));
        Assert.Equal(["a", "b"], handler.Seen.Select(s => s.Value).Order());
        Assert.Equal(0, handler.Overlaps);
        Assert.Equal(2, runs.Sum(r => r.Handled));
    }
}

public sealed class InMemoryConsumerRuntimeTests : ConsumerRuntimeContract
{
    protected override Task<ConsumerRig> RigAsync(string test) => Task.FromResult(ConsumerRig.InMemory());
}

[Collection(AzuriteCollection.Name)]
public sealed class AzureConsumerRuntimeTests(AzuriteFixture azurite) : ConsumerRuntimeContract
{
    protected override Task<ConsumerRig> RigAsync(string test) => ConsumerRig.CreateAsync(azurite, test);
}
