using Microsoft.Extensions.Time.Testing;
using Platform.Core.Log;
using Platform.Core.Log.Topics;
using Platform.Core.Options;
using Platform.Core.Storage;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Log.Appending;

/// <summary>Group commit with callers that send again once answered: every batch carries all of them.</summary>
public sealed class GroupCommitTests
{
    [Fact]
    public async Task Callers_that_send_again_once_answered_fill_each_batch_instead_of_alternating_half_batches()
    {
        StorageSet memory = StorageSet.InMemory();
        var stores = memory with { Segments = new SlowSegmentStore(memory.Segments, TimeSpan.FromMilliseconds(50)) };
        await using var engine = new TestEngine(stores, new LogOptions { IndexIntervalBytes = 0, ContendedLingerMax = TimeSpan.FromMilliseconds(200) });
        await engine.Topics.CreateAsync(new TopicConfig { Name = "turnout", Partitions = 1 }, default);
        const int callers = 8, rounds = 30;

        await Task.WhenAll(Enumerable.Range(0, callers).Select(c => Task.Run(async () =>
        {
            for (int r = 0; r < rounds; r++)
            {
                await engine.Producer.ProduceAsync("turnout", [Records.Text($"{c}-{r}")], default);
            }
        })));

        var tp = new TopicPartition("turnout", 0);
        int batches = 0;
        foreach (long segment in await stores.Segments.ListSegmentsAsync(tp, default))
        {
            SegmentInfo info = (await stores.Segments.GetSegmentAsync(tp, segment, default))!.Value;
            batches += (await SegmentScanner.ScanForwardAsync(stores.Segments, tp, info.Ref, 0, info.Length, default)).Count;
        }

        // Without waiting for the callers the last append answered, batches alternate between the calls that arrived
        // during an append and the rest: about twice as many, at half the size. (The callers have the 50 ms an append
        // takes to come back, so a loaded machine does not split batches.)
        Assert.InRange(batches, rounds, (int)(rounds * 1.4));
        Assert.Equal(callers * rounds, (await Records.ReadAllAsync(engine.Reader, "turnout", 0)).Count);
    }

    [Fact]
    public async Task Concurrent_calls_under_an_engine_clock_that_moves_only_when_told_are_never_left_waiting_on_it()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        StorageSet memory = StorageSet.InMemory();
        var scripted = new ScriptedSegmentStore(memory.Segments);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int appends = 0;
        scripted.BeforeAppend = async (_, ct) =>
        {
            if (Interlocked.Increment(ref appends) == 1)
            {
                await gate.Task.WaitAsync(ct);
            }

            time.Advance(TimeSpan.FromMilliseconds(15)); // appends take a while on the engine's clock
        };
        await using var engine = new TestEngine(memory with { Segments = scripted }, new LogOptions { IndexIntervalBytes = 0 }, time);
        await engine.Topics.CreateAsync(new TopicConfig { Name = "clock", Partitions = 1 }, default);

        Task first = engine.Producer.ProduceAsync("clock", [Records.Text("first")], default);
        while (Volatile.Read(ref appends) == 0)
        {
            await Task.Delay(5);
        }

        Task[] queued = [.. Enumerable.Range(0, 4).Select(i => engine.Producer.ProduceAsync("clock", [Records.Text($"q{i}")], default))];
        await Task.Delay(50);
        gate.SetResult();

        // The first append answers one call with four queued, so the next batch would wait for five: the fifth never
        // comes, and the wait must end on the real clock, not on one that moves only when a test says so.
        await Task.WhenAll([first, .. queued]).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(5, (await Records.ReadAllAsync(engine.Reader, "clock", 0)).Count);
    }
}
