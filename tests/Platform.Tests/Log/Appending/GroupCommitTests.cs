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
}
