using System.Diagnostics;
using Azure.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.Core.Log;
using Platform.Core.Log.Appending;
using Platform.Core.Log.Reading;
using Platform.Core.Log.Topics;
using Platform.Core.Options;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Log;

/// <summary>
/// Long-polls share one wait per partition: many waiters cost one storage look per interval, not one fetch each;
/// this instance's appends wake them at once, another instance's within an interval; and their number is bounded.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class WaitingReaderTests(AzuriteFixture azurite)
{

    [Fact]
    public async Task Fifty_waiters_on_an_idle_partition_cost_one_storage_look_per_interval_between_them()
    {
        var counting = new CountingPolicy();
        StorageSet stores = await StorageSet.AzureAsync(azurite, "waiting-shared", (counting, HttpPipelinePosition.PerCall));
        await using var engine = new TestEngine(stores);
        await engine.Topics.CreateAsync(new TopicConfig { Name = "idle", Partitions = 1 }, default);
        await engine.Producer.ProduceAsync("idle", [new ProduceRecord { Value = "first"u8.ToArray() }], default);
        var options = new LogOptions { WaitCheckInterval = TimeSpan.FromMilliseconds(200) };
        var waiting = new WaitingReader(engine.Reader, Microsoft.Extensions.Options.Options.Create(options), TimeProvider.System);
        int blobRequestsPerFetch = await RequestsOfAsync(counting, () => engine.Reader.FetchAsync("idle", 0, 1, 1024, 10, default));

        int before = counting.Requests;
        FetchResult[] results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => waiting.FetchAsync("idle", 0, 1, 1024, 10, TimeSpan.FromSeconds(2), default)));
        int spent = counting.Requests - before;

        Assert.All(results, r => Assert.Empty(r.Records));
        // Each waiter's first fetch, then about 10 looks (2 s / 200 ms) shared by all; polling each would be 50 × 20 fetches.
        int firstFetches = 50 * blobRequestsPerFetch;
        Assert.True(spent <= firstFetches + (15 * blobRequestsPerFetch), $"{spent} blob requests for 50 waiters over 2 s ({blobRequestsPerFetch} per fetch)");
    }

    [Fact]
    public async Task This_instances_append_wakes_waiters_at_once_and_another_instances_within_an_interval()
    {
        StorageSet stores = StorageSet.InMemory();
        await using var engine = new TestEngine(stores);
        await engine.Topics.CreateAsync(new TopicConfig { Name = "t", Partitions = 1 }, default);
        var options = new LogOptions { WaitCheckInterval = TimeSpan.FromSeconds(1) };
        var waiting = new WaitingReader(engine.Reader, Microsoft.Extensions.Options.Options.Create(options), TimeProvider.System);
        await using var local = new LogProducer(engine.Topics, stores.Segments, engine.IndexWriter, Microsoft.Extensions.Options.Options.Create(new LogOptions()), TimeProvider.System, NullLoggerFactory.Instance, [waiting]);

        var clock = Stopwatch.StartNew();
        Task<FetchResult> woken = waiting.FetchAsync("t", 0, 0, 1024, 10, TimeSpan.FromSeconds(20), default);
        await Task.Delay(1500); // past a look or so: the waiter is parked
        Assert.False(woken.IsCompleted);
        clock.Restart();
        await local.ProduceAsync("t", [new ProduceRecord { Value = "here"u8.ToArray() }], default);
        Assert.Equal("here", (await woken).Records.Single().Text());
        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(900), $"a local append woke the waiter after {clock.Elapsed}");

        // Another instance's append (a producer this reader does not listen to) is seen by the shared look.
        Task<FetchResult> remote = waiting.FetchAsync("t", 0, 1, 1024, 10, TimeSpan.FromSeconds(20), default);
        await Task.Delay(300);
        clock.Restart();
        await engine.Producer.ProduceAsync("t", [new ProduceRecord { Value = "there"u8.ToArray() }], default);
        Assert.Equal("there", (await remote).Records.Single().Text());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"another instance's append took {clock.Elapsed} to be seen");
    }

    [Fact]
    public async Task Waiting_fetches_beyond_the_bound_are_refused_as_busy_and_others_are_not_held_up()
    {
        StorageSet stores = StorageSet.InMemory();
        await using var engine = new TestEngine(stores);
        await engine.Topics.CreateAsync(new TopicConfig { Name = "t", Partitions = 1 }, default);
        var waiting = new WaitingReader(engine.Reader, Microsoft.Extensions.Options.Options.Create(new LogOptions { MaxWaitingFetches = 2 }), TimeProvider.System);
        using var cancel = new CancellationTokenSource();
        Task<FetchResult>[] parked = [.. Enumerable.Range(0, 2).Select(_ => waiting.FetchAsync("t", 0, 0, 1024, 10, TimeSpan.FromSeconds(30), cancel.Token))];
        await Task.Delay(200);

        LogException busy = await Assert.ThrowsAsync<LogException>(() => waiting.FetchAsync("t", 0, 0, 1024, 10, TimeSpan.FromSeconds(30), default));
        Assert.Equal(LogErrorKind.Busy, busy.Kind);
        Assert.NotNull(busy.RetryAfter);
        Assert.Empty((await waiting.FetchAsync("t", 0, 0, 1024, 10, TimeSpan.Zero, default)).Records); // no wait: never refused

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Task.WhenAll(parked));
        Task<FetchResult> again = waiting.FetchAsync("t", 0, 0, 1024, 10, TimeSpan.FromMilliseconds(300), default);
        Assert.Empty((await again).Records); // the slots came back
    }

    private static async Task<int> RequestsOfAsync(CountingPolicy counting, Func<Task> action)
    {
        int before = counting.Requests;
        await action();
        return counting.Requests - before;
    }
}
