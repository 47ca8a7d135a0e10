using Platform.Core.Log.Topics;
using Platform.Core.Options;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Log;

/// <summary>A steady reader does not list the partition's segments on every fetch, and still follows every roll.</summary>
public sealed class SegmentListCacheTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task A_reader_following_a_rolling_partition_reads_everything_once_with_few_segment_listings()
    {
        var counting = new CountingSegmentStore(new Platform.Core.Storage.InMemory.InMemorySegmentStore());
        var stores = StorageSet.InMemory() with { Segments = counting };
        await using var engine = new TestEngine(stores, new LogOptions { SegmentBytes = 8 * 1024, MaxBatchBytes = 4 * 1024, ProducerStateScanBytes = 4 * 1024, IndexIntervalBytes = 0 });
        await engine.Topics.CreateAsync(new TopicConfig { Name = "rolling", Partitions = 1 }, default);
        var value = new string('v', 300);
        var read = new List<string>();
        long next = 0;
        var fetches = 0;
        for (var i = 0; i < 300; i++)
        {
            await engine.Producer.ProduceAsync("rolling", [Records.Text($"{i:D3}{value}")], default);
            if (i % 3 != 2) continue;
            var fetch = await engine.Reader.FetchAsync("rolling", 0, next, 64 * 1024, 1_000, default);
            fetches++;
            read.AddRange(fetch.Records.Select(r => r.Text()[..3]));
            next = fetch.NextOffset;
        }
        while (next < (await engine.Reader.GetOffsetsAsync("rolling", 0, default)).Latest)
        {
            var fetch = await engine.Reader.FetchAsync("rolling", 0, next, 64 * 1024, 1_000, default);
            read.AddRange(fetch.Records.Select(r => r.Text()[..3]));
            next = fetch.NextOffset;
        }

        Assert.Equal(Enumerable.Range(0, 300).Select(i => $"{i:D3}"), read);
        var segments = (await stores.Segments.ListSegmentsAsync(new Platform.Core.Log.TopicPartition("rolling", 0), default)).Count;
        Assert.True(segments > 10, $"{segments} segments");
        // Listings come from rolls (the writer's and the reader's), not from every fetch.
        var readerLists = counting.Lists;
        output.WriteLine($"{readerLists} segment listings (writer and reader) for {fetches} fetches over {segments} segments");
        Assert.True(readerLists < fetches, $"{readerLists} listings for {fetches} fetches over {segments} segments");
    }
}
