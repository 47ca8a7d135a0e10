using Platform.Core.Log;
using Platform.Core.Storage;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Storage;

/// <summary>What every <see cref="IOffsetIndex"/> must do; run against each implementation.</summary>
public abstract class OffsetIndexContract
{
    private static readonly TopicPartition Tp = new("clicks", 0);

    protected abstract Task<IOffsetIndex> CreateAsync(string testName);

    [Fact]
    public async Task Finds_the_batch_holding_an_offset_and_the_first_batch_at_a_time()
    {
        IOffsetIndex index = await CreateAsync(nameof(Finds_the_batch_holding_an_offset_and_the_first_batch_at_a_time));
        BatchIndexEntry[] entries =
        [
            new(0, 9, 0, 0, 500, 1000),
            new(10, 19, 0, 500, 600, 2000),
            new(20, 20, 20, 0, 120, 2000),
            new(21, 999_999_999_999, 20, 120, 4000, 5000),
        ];
        await index.AddAsync(Tp, entries, default);
        await index.AddAsync(Tp with { Partition = 1 }, [new(0, 100, 0, 0, 10, 1)], default);

        Assert.Equal(entries[0], await index.FindByOffsetAsync(Tp, 0, default));
        Assert.Equal(entries[0], await index.FindByOffsetAsync(Tp, 9, default));
        Assert.Equal(entries[1], await index.FindByOffsetAsync(Tp, 10, default));
        Assert.Equal(entries[2], await index.FindByOffsetAsync(Tp, 20, default));
        Assert.Equal(entries[3], await index.FindByOffsetAsync(Tp, 500_000, default));
        Assert.Null(await index.FindByOffsetAsync(Tp, 1_000_000_000_000, default));

        Assert.Equal(entries[0], await index.FindByTimeAsync(Tp, 0, default));
        Assert.Equal(entries[1], await index.FindByTimeAsync(Tp, 1001, default));
        Assert.Equal(entries[3], await index.FindByTimeAsync(Tp, 2001, default));
        Assert.Null(await index.FindByTimeAsync(Tp, 5001, default));
        Assert.Null(await index.FindByOffsetAsync(new TopicPartition("other", 0), 0, default));
    }

    [Fact]
    public async Task Adding_an_entry_again_replaces_it_and_large_batches_are_split()
    {
        IOffsetIndex index = await CreateAsync(nameof(Adding_an_entry_again_replaces_it_and_large_batches_are_split));
        BatchIndexEntry[] many = [.. Enumerable.Range(0, 250).Select(i => new BatchIndexEntry(i * 2, i * 2 + 1, 0, i * 100, 100, 10 + i))];
        await index.AddAsync(Tp, many, default);
        await index.AddAsync(Tp, many[..3], default);
        Assert.Equal(many[249], await index.FindByOffsetAsync(Tp, 498, default));
        Assert.Equal(many[100], await index.FindByTimeAsync(Tp, 110, default));
    }
}

public sealed class InMemoryOffsetIndexTests : OffsetIndexContract
{
    protected override Task<IOffsetIndex> CreateAsync(string testName) => Task.FromResult(StorageSet.InMemory().Index);
}

[Collection(AzuriteCollection.Name)]
public sealed class AzureOffsetIndexTests(AzuriteFixture azurite) : OffsetIndexContract
{
    protected override async Task<IOffsetIndex> CreateAsync(string testName) => (await StorageSet.AzureAsync(azurite, testName)).Index;
}
