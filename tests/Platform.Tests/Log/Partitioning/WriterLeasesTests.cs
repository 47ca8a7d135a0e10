using Microsoft.Extensions.Logging.Abstractions;
using Platform.Core.Log.Partitioning;
using Platform.Core.Options;
using Platform.Core.Storage;
using Platform.Core.Storage.Azure;
using Platform.Core.Storage.InMemory;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Log.Partitioning;

/// <summary>Instances writing a topic share out its partitions: each leads its fair share, none leads another's.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class WriterLeasesTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Instances_writing_a_topic_lead_disjoint_fair_shares_of_its_partitions_in_memory() =>
        await ShareAsync(new InMemoryOwnershipStore());

    [Fact]
    public async Task Instances_writing_a_topic_lead_disjoint_fair_shares_of_its_partitions_on_azurite() =>
        await ShareAsync(new AzureOwnershipStore(await azurite.NewTableAsync("writerleases")));

    [Fact]
    public async Task A_departing_instance_hands_its_partitions_to_those_that_stay()
    {
        var store = new InMemoryOwnershipStore();
        await using WriterLeases stays = Leases(store);
        WriterLeases leaves = Leases(store);
        await WaitForAsync(() => Shares([stays, leaves], 4) is [2, 2]);
        await leaves.DisposeAsync();
        await WaitForAsync(() => stays.Led("t", 4).Count == 4);
    }

    [Fact]
    public async Task Keyless_records_of_two_instances_go_to_partitions_neither_shares_with_the_other()
    {
        StorageSet stores = StorageSet.InMemory();
        var ownership = new InMemoryOwnershipStore();
        await using var engine = new TestEngine(stores);
        await engine.Topics.CreateAsync(new Platform.Core.Log.Topics.TopicConfig { Name = "t", Partitions = 4 }, default);
        var options = Microsoft.Extensions.Options.Options.Create(new LogOptions { WriterLeaseDuration = TimeSpan.FromSeconds(6) });
        await using var a = new Platform.Core.Log.Appending.LogProducer(engine.Topics, stores.Segments, engine.IndexWriter, options, TimeProvider.System, NullLoggerFactory.Instance, leases: Leases(ownership));
        await using var b = new Platform.Core.Log.Appending.LogProducer(engine.Topics, stores.Segments, engine.IndexWriter, options, TimeProvider.System, NullLoggerFactory.Instance, leases: Leases(ownership));
        Platform.Core.Log.ProduceRecord[] one = [new() { Value = new byte[300_000] }]; // past a stick's bytes: every call may move on
        await a.ProduceAsync("t", one, default);
        await b.ProduceAsync("t", one, default);
        await Task.Delay(TimeSpan.FromSeconds(3)); // the leases settle (they balance every 500 ms until they do)

        var byA = new HashSet<int>();
        var byB = new HashSet<int>();
        for (int i = 0; i < 20; i++)
        {
            byA.UnionWith((await a.ProduceAsync("t", one, default)).Records.Select(r => r.Partition));
            byB.UnionWith((await b.ProduceAsync("t", one, default)).Records.Select(r => r.Partition));
        }

        Assert.Equal(2, byA.Count);
        Assert.Equal(2, byB.Count);
        Assert.Empty(byA.Intersect(byB));
    }

    private static async Task ShareAsync(IOwnershipStore store)
    {
        await using WriterLeases a = Leases(store), b = Leases(store), c = Leases(store);
        WriterLeases[] all = [a, b, c];
        await WaitForAsync(() => Shares(all, 8).Order().SequenceEqual([2, 3, 3]));
        int[] led = [.. all.SelectMany(l => l.Led("t", 8))];
        Assert.Equal(8, led.Distinct().Count());
        Assert.Empty(a.Led("one", 1)); // one partition: nothing to share out
    }

    private static int[] Shares(WriterLeases[] leases, int partitions) => [.. leases.Select(l => l.Led("t", partitions).Count)];

    private static WriterLeases Leases(IOwnershipStore store) =>
        new(store, Microsoft.Extensions.Options.Options.Create(new LogOptions { WriterLeaseDuration = TimeSpan.FromSeconds(6) }), TimeProvider.System, NullLogger<WriterLeases>.Instance);

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the leases did not settle within 20 s");
            await Task.Delay(100);
        }
    }
}
