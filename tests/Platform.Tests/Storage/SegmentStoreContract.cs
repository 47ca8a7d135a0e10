using Platform.Core.Log;
using Platform.Core.Storage;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Storage;

/// <summary>What every <see cref="ISegmentStore"/> must do; run against each implementation.</summary>
public abstract class SegmentStoreContract
{
    private static readonly TopicPartition Tp = new("orders", 3);

    private static readonly SegmentLimits Limits = new(12_345, 678);

    protected abstract Task<ISegmentStore> CreateAsync(string testName);

    [Fact]
    public async Task Create_is_idempotent_and_lists_in_offset_order()
    {
        ISegmentStore store = await CreateAsync(nameof(Create_is_idempotent_and_lists_in_offset_order));
        Assert.True(await store.CreateSegmentAsync(Tp, 100, Limits, default));
        Assert.False(await store.CreateSegmentAsync(Tp, 100, Limits, default));
        Assert.True(await store.CreateSegmentAsync(Tp, 0, Limits, default));
        Assert.True(await store.CreateSegmentAsync(Tp, 12_000_000_000, Limits, default));
        Assert.True(await store.CreateSegmentAsync(Tp with { Partition = 4 }, 7, Limits, default));
        Assert.Equal([0L, 100, 12_000_000_000], await store.ListSegmentsAsync(Tp, default));
        Assert.Equal(new SegmentInfo(100, 0, 0, Limits), await store.GetSegmentAsync(Tp, 100, default));
        Assert.Null(await store.GetSegmentAsync(Tp, 55, default));
    }

    [Fact]
    public async Task Reading_from_a_position_answers_the_segment_and_the_bytes_after_it_in_one_look()
    {
        ISegmentStore store = await CreateAsync(nameof(Reading_from_a_position_answers_the_segment_and_the_bytes_after_it_in_one_look));
        await store.CreateSegmentAsync(Tp, 0, Limits, default);
        await store.AppendAsync(Tp, 0, new byte[] { 1, 2, 3, 4, 5 }, 0, 1000, default);
        await store.AppendAsync(Tp, 0, new byte[] { 6, 7, 8 }, 5, 1000, default);
        byte[] into = new byte[16];

        (SegmentInfo? info, int read) = await store.ReadFromAsync(Tp, 0, 2, into, default);
        Assert.Equal(new SegmentInfo(0, 8, 2, Limits), info);
        Assert.Equal([3, 4, 5, 6, 7, 8], into[..read]);

        (info, read) = await store.ReadFromAsync(Tp, 0, 2, into.AsMemory(0, 4), default); // no more than asked
        Assert.Equal((8L, 4), (info!.Value.Length, read));
        Assert.Equal([3, 4, 5, 6], into[..read]);

        (info, read) = await store.ReadFromAsync(Tp, 0, 8, into, default); // at the end: the segment, no bytes
        Assert.Equal((new SegmentInfo(0, 8, 2, Limits), 0), (info, read));

        (info, read) = await store.ReadFromAsync(Tp, 0, 9, into, default); // past the end
        Assert.Equal((new SegmentInfo(0, 8, 2, Limits), 0), (info, read));

        (info, read) = await store.ReadFromAsync(Tp, 555, 0, into, default);
        Assert.Null(info);
        Assert.Equal(0, read);

        await store.CreateSegmentAsync(Tp, 8, Limits, default);
        (info, read) = await store.ReadFromAsync(Tp, 8, 0, into, default); // empty
        Assert.Equal((new SegmentInfo(8, 0, 0, Limits), 0), (info, read));
    }

    [Fact]
    public async Task A_segment_keeps_the_seal_rule_of_whoever_created_it()
    {
        ISegmentStore store = await CreateAsync(nameof(A_segment_keeps_the_seal_rule_of_whoever_created_it));
        Assert.True(await store.CreateSegmentAsync(Tp, 0, new SegmentLimits(1000, 10), default));
        Assert.False(await store.CreateSegmentAsync(Tp, 0, new SegmentLimits(5000, 99), default));
        SegmentInfo info = (await store.GetSegmentAsync(Tp, 0, default))!.Value;
        Assert.Equal(new SegmentLimits(1000, 10), info.Limits);
        Assert.False(info.IsSealed);
        Assert.True(info.Limits.IsSealed(1000, 0));
        Assert.True(info.Limits.IsSealed(0, 10));
    }

    [Fact]
    public async Task Appends_are_conditional_on_position_and_size()
    {
        ISegmentStore store = await CreateAsync(nameof(Appends_are_conditional_on_position_and_size));
        await store.CreateSegmentAsync(Tp, 0, Limits, default);
        byte[] a = [1, 2, 3, 4, 5];
        byte[] b = [6, 7, 8];

        Assert.Equal(new AppendOutcome(AppendStatus.Appended, 1), await store.AppendAsync(Tp, 0, a, 0, 1000, default));
        Assert.Equal(AppendStatus.PositionMismatch, (await store.AppendAsync(Tp, 0, b, 0, 1000, default)).Status);
        Assert.Equal(AppendStatus.PositionMismatch, (await store.AppendAsync(Tp, 0, b, 6, 1000, default)).Status);
        Assert.Equal(AppendStatus.MaxSizeExceeded, (await store.AppendAsync(Tp, 0, b, 5, 7, default)).Status);
        Assert.Equal(new AppendOutcome(AppendStatus.Appended, 2), await store.AppendAsync(Tp, 0, b, 5, 8, default));
        Assert.Equal(AppendStatus.SegmentMissing, (await store.AppendAsync(Tp, 999, b, 0, 1000, default)).Status);

        Assert.Equal(new SegmentInfo(0, 8, 2, Limits), await store.GetSegmentAsync(Tp, 0, default));
        byte[] read = new byte[10];
        Assert.Equal(8, await store.ReadAsync(Tp, new SegmentRef(0), 0, read, default));
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], read[..8]);
        Assert.Equal(3, await store.ReadAsync(Tp, new SegmentRef(0), 5, read.AsMemory(0, 3), default));
        Assert.Equal([6, 7, 8], read[..3]);
        Assert.Equal(0, await store.ReadAsync(Tp, new SegmentRef(0), 8, read, default));
    }

    [Fact]
    public async Task Concurrent_appends_at_one_position_have_exactly_one_winner()
    {
        ISegmentStore store = await CreateAsync(nameof(Concurrent_appends_at_one_position_have_exactly_one_winner));
        await store.CreateSegmentAsync(Tp, 0, Limits, default);
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => store.AppendAsync(Tp, 0, new byte[] { (byte)i }, 0, 100, default)));
        Assert.Single(outcomes, o => o.Status == AppendStatus.Appended);
        Assert.Equal(7, outcomes.Count(o => o.Status == AppendStatus.PositionMismatch));
        Assert.Equal(1, (await store.GetSegmentAsync(Tp, 0, default))!.Value.Length);
    }

    [Fact]
    public async Task Delete_removes_a_segment_once()
    {
        ISegmentStore store = await CreateAsync(nameof(Delete_removes_a_segment_once));
        await store.CreateSegmentAsync(Tp, 0, Limits, default);
        Assert.True(await store.DeleteSegmentAsync(Tp, 0, default));
        Assert.False(await store.DeleteSegmentAsync(Tp, 0, default));
        Assert.Empty(await store.ListSegmentsAsync(Tp, default));
    }

    [Fact]
    public async Task A_rewritten_generation_is_invisible_until_committed_then_whole_and_once()
    {
        ISegmentStore store = await CreateAsync(nameof(A_rewritten_generation_is_invisible_until_committed_then_whole_and_once));
        Assert.True(await store.CreateSegmentAsync(Tp, 0, Limits, default));
        Assert.Equal(AppendStatus.Appended, (await store.AppendAsync(Tp, 0, new byte[] { 1, 2, 3, 4 }, 0, 1000, default)).Status);

        ISegmentUpload upload = store.BeginRewrite(Tp, new SegmentRef(0, 1));
        await upload.StageAsync(new byte[] { 9, 8 }, default);
        await upload.StageAsync(new byte[] { 7 }, default);
        // Staged, not committed: nobody sees it.
        Assert.Equal([new SegmentRef(0)], await store.ListGenerationsAsync(Tp, default));
        Assert.Null(await store.GetGenerationAsync(Tp, new SegmentRef(0, 1), default));

        // A second upload of the same generation (another compactor) stages its own blocks, then loses the commit.
        ISegmentUpload rival = store.BeginRewrite(Tp, new SegmentRef(0, 1));
        await rival.StageAsync(new byte[] { 5, 5, 5, 5, 5 }, default);
        Assert.True(await upload.CommitAsync(default));
        Assert.False(await rival.CommitAsync(default));

        Assert.Equal([new SegmentRef(0), new SegmentRef(0, 1)], await store.ListGenerationsAsync(Tp, default));
        Assert.Equal([0L], await store.ListSegmentsAsync(Tp, default));
        SegmentInfo rewritten = (await store.GetGenerationAsync(Tp, new SegmentRef(0, 1), default))!.Value;
        Assert.Equal(3, rewritten.Length);
        Assert.Equal(1, rewritten.Generation);
        Assert.True(rewritten.IsSealed); // sealed from the start: no writer appends to it
        byte[] read = new byte[8];
        Assert.Equal(3, await store.ReadAsync(Tp, new SegmentRef(0, 1), 0, read, default));
        Assert.Equal(new byte[] { 9, 8, 7 }, read[..3]);
        Assert.Equal(4, await store.ReadAsync(Tp, new SegmentRef(0), 0, read, default)); // the old one is whole beside it

        // The old generation goes; the segment is then answered from the new one, and reading the old one is "missing".
        Assert.True(await store.DeleteGenerationAsync(Tp, new SegmentRef(0), default));
        Assert.False(await store.DeleteGenerationAsync(Tp, new SegmentRef(0), default));
        Assert.Equal(new SegmentInfo(0, 3, rewritten.BlockCount, rewritten.Limits, 1), await store.GetSegmentAsync(Tp, 0, default));
        await Assert.ThrowsAsync<SegmentMissingException>(() => store.ReadAsync(Tp, new SegmentRef(0), 0, read, default));
        Assert.Equal(AppendStatus.SegmentMissing, (await store.AppendAsync(Tp, 0, new byte[] { 1 }, 4, 1000, default)).Status);

        // Deleting the segment takes every generation.
        Assert.True(await store.DeleteSegmentAsync(Tp, 0, default));
        Assert.Empty(await store.ListGenerationsAsync(Tp, default));
        Assert.Null(await store.GetSegmentAsync(Tp, 0, default));
    }
}

public sealed class InMemorySegmentStoreTests : SegmentStoreContract
{
    protected override Task<ISegmentStore> CreateAsync(string testName) => Task.FromResult(StorageSet.InMemory().Segments);
}

[Collection(AzuriteCollection.Name)]
public sealed class AzureSegmentStoreTests(AzuriteFixture azurite) : SegmentStoreContract
{
    protected override async Task<ISegmentStore> CreateAsync(string testName) => (await StorageSet.AzureAsync(azurite, testName)).Segments;
}
