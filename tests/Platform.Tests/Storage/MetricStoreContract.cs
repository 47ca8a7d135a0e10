using Platform.Core.Metrics.Conversion;
using Platform.Core.Storage;
using Platform.Core.Storage.Azure;
using Platform.Core.Storage.InMemory;
using Platform.Promql.Series;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Storage;

/// <summary>What every <see cref="IMetricStore"/> must do; run against each implementation.</summary>
public abstract class MetricStoreContract
{
    private const long Block = 1_767_225_600_000;

    protected abstract Task<IMetricStore> CreateAsync(string testName);

    [Fact]
    public async Task A_chunk_is_written_only_at_the_version_it_was_read_at()
    {
        var store = await CreateAsync(nameof(A_chunk_is_written_only_at_the_version_it_was_read_at));
        var first = await store.TryWriteChunksAsync([new StoredChunk("up", Block, "a", [1, 2, 3], null)], default);
        var written = Assert.Single(first.Written);
        Assert.Empty(first.Lost);
        Assert.False(string.IsNullOrEmpty(written.Version));

        // A second "create" and a write at a stale version both lose, as values.
        Assert.Single((await store.TryWriteChunksAsync([new StoredChunk("up", Block, "a", [9], null)], default)).Lost);
        var second = await store.TryWriteChunksAsync([new StoredChunk("up", Block, "a", [4], written.Version)], default);
        Assert.Single(second.Written);
        Assert.Single((await store.TryWriteChunksAsync([new StoredChunk("up", Block, "a", [5], written.Version)], default)).Lost);

        var read = Assert.Single(await store.ReadChunksAsync("up", Block, null, default));
        Assert.Equal([4], read.Data);
        Assert.Equal(second.Written[0].Version, read.Version);
    }

    [Fact]
    public async Task Chunks_are_read_per_metric_and_block_by_id_or_all_and_large_ones_round_trip()
    {
        var store = await CreateAsync(nameof(Chunks_are_read_per_metric_and_block_by_id_or_all_and_large_ones_round_trip));
        var large = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7)).ToArray();
        var ids = Enumerable.Range(0, 15).Select(i => $"s{i:D2}").ToList();
        await store.TryWriteChunksAsync([.. ids.Select(id => new StoredChunk("cpu", Block, id, id == "s03" ? large : [1], null))], default);
        await store.TryWriteChunksAsync([new StoredChunk("cpu", Block + 3_600_000, "s00", [2], null), new StoredChunk("mem", Block, "s00", [3], null)], default);

        Assert.Equal(15, (await store.ReadChunksAsync("cpu", Block, null, default)).Count);
        Assert.Equal(12, (await store.ReadChunksAsync("cpu", Block, ids.Take(12).ToList(), default)).Count);
        var few = await store.ReadChunksAsync("cpu", Block, ["s03", "s99"], default);
        Assert.Equal(large, Assert.Single(few).Data);
        Assert.Equal([2], Assert.Single(await store.ReadChunksAsync("cpu", Block + 3_600_000, null, default)).Data);
    }

    [Fact]
    public async Task Series_index_running_totals_and_metadata_round_trip()
    {
        var store = await CreateAsync(nameof(Series_index_running_totals_and_metadata_round_trip));
        var labels = Labels.Of("__name__", "up", "job", "api", "path", "/a\"b");
        await store.UpsertSeriesAsync([new StoredSeries("up", "x1", labels, Block, Block), new StoredSeries("down", "x2", Labels.Of("__name__", "down"), Block, Block)], default);
        await store.UpsertSeriesAsync([new StoredSeries("up", "x1", labels, Block, Block + 3_600_000)], default);
        // A writer whose copy is older (a narrower range) never narrows the index.
        await store.UpsertSeriesAsync([new StoredSeries("up", "x1", labels, Block + 3_600_000, Block + 3_600_000)], default);
        var many = Enumerable.Range(0, 30).Select(i => new StoredSeries("many", $"m{i}", Labels.Of("__name__", "many", "i", $"{i}"), Block, Block)).ToList();
        await store.UpsertSeriesAsync(many, default);
        await store.UpsertSeriesAsync([.. many.Select(m => m with { LastBlock = Block + 7_200_000 })], default);
        Assert.All(await store.ListSeriesAsync("many", default), m => Assert.Equal((Block, Block + 7_200_000), (m.FirstBlock, m.LastBlock)));
        var up = Assert.Single(await store.ListSeriesAsync("up", default));
        Assert.Equal(labels, up.Labels);
        Assert.Equal((Block, Block + 3_600_000), (up.FirstBlock, up.LastBlock));
        Assert.Equal(32, (await store.ListSeriesAsync(null, default)).Count);

        Assert.Null(await store.ReadAccumulatorAsync("k", default));
        var state = new AccumulatorState("k", new Dictionary<string, double> { ["a"] = 1.5 }, 42, new Dictionary<string, long> { ["otlp.metrics/0"] = 7 }, null);
        Assert.True(await store.TryWriteAccumulatorAsync(state, default));
        Assert.False(await store.TryWriteAccumulatorAsync(state, default));
        var read = (await store.ReadAccumulatorAsync("k", default))!;
        Assert.Equal((1.5, 42L, 7L), (read.Totals["a"], read.LastT, read.Applied["otlp.metrics/0"]));
        Assert.True(await store.TryWriteAccumulatorAsync(read with { LastT = 43 }, default));
        Assert.False(await store.TryWriteAccumulatorAsync(read with { LastT = 44 }, default));

        await store.UpsertMetadataAsync([new MetricMetadata("up", "gauge", "Is it up", ""), new MetricMetadata("reqs_total", "counter", "Requests", "")], default);
        Assert.Equal(["reqs_total", "up"], (await store.ListMetadataAsync(default)).Select(m => m.Metric).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(await store.ListSeriesAsync(null, default), s => s.Metric.StartsWith('$'));
    }
}

public sealed class InMemoryMetricStoreTests : MetricStoreContract
{
    protected override Task<IMetricStore> CreateAsync(string testName) => Task.FromResult<IMetricStore>(new InMemoryMetricStore());
}

[Collection(AzuriteCollection.Name)]
public sealed class AzureMetricStoreTests(AzuriteFixture azurite) : MetricStoreContract
{
    protected override async Task<IMetricStore> CreateAsync(string testName)
    {
        var store = new AzureMetricStore(await azurite.NewTableAsync(testName + "s"), await azurite.NewTableAsync(testName + "c"), await azurite.NewTableAsync(testName + "a"));
        await store.EnsureCreatedAsync(default);
        return store;
    }
}
