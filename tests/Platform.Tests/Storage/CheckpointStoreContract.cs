using Platform.Core.Consumers;
using Platform.Core.Log;
using Platform.Core.Storage;
using Platform.Core.Storage.Azure;
using Platform.Core.Storage.InMemory;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Storage;

/// <summary>What every <see cref="ICheckpointStore"/> must do; run against each implementation.</summary>
public abstract class CheckpointStoreContract
{
    private static readonly TopicPartition Tp = new("metrics", 2);

    protected abstract Task<ICheckpointStore> CreateAsync(string testName);

    private static GroupResult Result(string window, long count) => new($"r:{window}", new Dictionary<string, object?> { ["Count"] = count });

    [Fact]
    public async Task Results_and_offset_commit_together_or_not_at_all()
    {
        ICheckpointStore store = await CreateAsync(nameof(Results_and_offset_commit_together_or_not_at_all));
        Checkpoint? first = await store.TryCommitAsync("agg", Tp, 10, null, [Result("12:00", 10)], default);
        Assert.NotNull(first);
        Assert.False(string.IsNullOrEmpty(first.Version));

        // A stale writer (its checkpoint was moved since it read it) commits neither its results nor its offset.
        await store.SetAsync("agg", Tp, 5, default);
        Assert.Null(await store.TryCommitAsync("agg", Tp, 20, first, [Result("12:00", 99)], default));
        Assert.Equal(10L, (await store.GetResultAsync("agg", "r:12:00", default))!["Count"]);
        Assert.Equal(5, (await store.GetAsync("agg", Tp, default))!.Offset);

        Checkpoint current = (await store.GetAsync("agg", Tp, default))!;
        Assert.NotNull(await store.TryCommitAsync("agg", Tp, 20, current, [Result("12:00", 20)], default));
        Assert.Equal(20L, (await store.GetResultAsync("agg", "r:12:00", default))!["Count"]);
        Assert.Equal(20, (await store.GetAsync("agg", Tp, default))!.Offset);
    }

    [Fact]
    public async Task A_first_commit_loses_to_another_first_commit_and_keys_of_offsets_are_not_results()
    {
        ICheckpointStore store = await CreateAsync(nameof(A_first_commit_loses_to_another_first_commit_and_keys_of_offsets_are_not_results));
        Assert.Null(await store.GetAsync("g", Tp, default));
        Assert.NotNull(await store.TryCommitAsync("g", Tp, 3, null, null, default));
        Assert.Null(await store.TryCommitAsync("g", Tp, 7, null, null, default));
        Assert.Equal(3, (await store.GetAsync("g", Tp, default))!.Offset);
        await Assert.ThrowsAsync<ArgumentException>(() => store.TryCommitAsync("g", Tp, 8, null, [new GroupResult("o:metrics:00002", new Dictionary<string, object?>())], default));
        Assert.Null(await store.GetResultAsync("g", "r:none", default));
    }
}

public sealed class InMemoryCheckpointStoreTests : CheckpointStoreContract
{
    protected override Task<ICheckpointStore> CreateAsync(string testName) => Task.FromResult<ICheckpointStore>(new InMemoryCheckpointStore());
}

[Collection(AzuriteCollection.Name)]
public sealed class AzureCheckpointStoreTests(AzuriteFixture azurite) : CheckpointStoreContract
{
    protected override async Task<ICheckpointStore> CreateAsync(string testName) => new AzureCheckpointStore(await azurite.NewTableAsync(testName + "c"));
}
