using Azure.Storage.Blobs;
using Platform.Core.Log;
using Platform.Core.Log.Topics;
using Platform.Core.Options;
using Platform.Core.Storage.Azure;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Storage;

/// <summary>Partitions of a topic spread over two storage accounts (two Azurite accounts), placed at creation, never moved.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class SegmentPlacementTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_topics_partitions_spread_over_two_accounts_stay_where_they_were_placed_and_read_back_whole()
    {
        StorageSet stores = await StorageSet.AzureAsync(azurite, nameof(A_topics_partitions_spread_over_two_accounts_stay_where_they_were_placed_and_read_back_whole));
        string container = "place" + Guid.NewGuid().ToString("N")[..8];
        var main = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(container);
        var second = new BlobServiceClient(azurite.SecondConnectionString).GetBlobContainerClient(container);
        var placement = new TopicPlacement(["second"]);
        var topics = new TopicManager(stores.Topics, TimeProvider.System, placement);
        var placed = new PlacedSegmentStore(new Dictionary<string, AzureSegmentStore> { [TopicPlacement.Primary] = new(main), ["second"] = new(second) }, topics);
        await placed.EnsureCreatedAsync(default);
        await using var engine = new TestEngine(stores with { Segments = placed });

        TopicConfig created = await topics.CreateAsync(new TopicConfig { Name = "spread", Partitions = 4 }, default);
        Assert.Equal(4, created.SegmentAccounts!.Count);
        Assert.Equal(2, created.SegmentAccounts.Distinct().Count()); // both accounts used
        for (int i = 0; i < 40; i++) await engine.Producer.ProduceAsync("spread", [Records.Text($"r{i}", partition: i % 4)], default);

        // Each partition's segments are in its account and nowhere else.
        for (int p = 0; p < 4; p++)
        {
            BlobContainerClient home = created.SegmentAccountOf(p) == TopicPlacement.Primary ? main : second;
            BlobContainerClient other = home == main ? second : main;
            Assert.NotEmpty(await ListAsync(home, p));
            Assert.Empty(await ListAsync(other, p));
            Assert.Equal(Enumerable.Range(0, 10).Select(k => $"r{(k * 4) + p}"), (await Records.ReadAllAsync(engine.Reader, "spread", p)).Select(r => r.Text()));
        }

        // The placement is in the topic's config: another instance (a new TopicManager over the same table) agrees.
        var reloaded = await new TopicManager(stores.Topics, TimeProvider.System).GetAsync("spread", default);
        Assert.Equal(created.SegmentAccounts, reloaded.SegmentAccounts);

        // An account that goes missing from the settings is a clear error, never a silent read of the wrong account.
        var missing = new PlacedSegmentStore(new Dictionary<string, AzureSegmentStore> { [TopicPlacement.Primary] = new(main), ["third"] = new(second) }, topics);
        int onSecond = Enumerable.Range(0, 4).First(p => created.SegmentAccountOf(p) == "second");
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => missing.ListSegmentsAsync(new TopicPartition("spread", onSecond), default));
        Assert.Contains("'second'", refused.Message, StringComparison.Ordinal);

        // Also when every extra account is gone: the placed partition is refused, never started again at offset 0 in
        // the main account (where it would hand out its offsets a second time).
        var onlyMain = new PlacedSegmentStore(new Dictionary<string, AzureSegmentStore> { [TopicPlacement.Primary] = new(main) }, topics);
        await Assert.ThrowsAsync<InvalidOperationException>(() => onlyMain.ListSegmentsAsync(new TopicPartition("spread", onSecond), default));
        int onMain = Enumerable.Range(0, 4).First(p => created.SegmentAccountOf(p) == TopicPlacement.Primary);
        Assert.NotEmpty(await onlyMain.ListSegmentsAsync(new TopicPartition("spread", onMain), default));
    }

    [Fact]
    public void Settings_name_labels_and_accounts_or_are_refused_at_start()
    {
        var options = new StorageOptions { ConnectionString = "UseDevelopmentStorage=true" };
        options.SegmentAccounts["Bad-Label"] = new StorageOptions { AccountName = "x" };
        options.SegmentAccounts["empty"] = new StorageOptions();
        var result = new StorageOptionsValidator().Validate(null, options);
        Assert.Contains("SegmentAccounts:Bad-Label", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("SegmentAccounts:empty: set ConnectionString", result.FailureMessage, StringComparison.Ordinal);
        Assert.Null(new TopicPlacement([]).Assign("t", 3));
    }

    private static async Task<List<string>> ListAsync(BlobContainerClient container, int partition)
    {
        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, $"spread/{partition:D5}/", default)) names.Add(blob.Name);
        return names;
    }
}
