using Platform.Core.Metrics;
using Platform.Core.Metrics.Query;
using Platform.Core.Storage;
using Platform.Core.Storage.Azure;
using Platform.Core.Storage.InMemory;
using Platform.Promql.Engine;
using Platform.Promql.Storage;
using Platform.Tests.Fixtures;
using Platform.Tests.Promql;

namespace Platform.Tests.Metrics;

/// <summary>
/// The reference data stored through the job's writer and read back through the stored-series querier answers every
/// comparison query exactly as the same data held in memory does (which answers as Prometheus does).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class StoredQueriesTests(AzuriteFixture azurite)
{
    [Fact]
    public Task Stored_in_memory_series_answer_like_the_reference() => CompareAsync(new InMemoryMetricStore(), instants: true);

    [Fact]
    public async Task Stored_table_series_answer_like_the_reference()
    {
        var name = nameof(Stored_table_series_answer_like_the_reference);
        var store = new AzureMetricStore(await azurite.NewTableAsync(name + "s"), await azurite.NewTableAsync(name + "c"), await azurite.NewTableAsync(name + "a"));
        await store.EnsureCreatedAsync(default);
        await CompareAsync(store, instants: false);
    }

    private static async Task CompareAsync(IMetricStore store, bool instants)
    {
        var data = new ReferenceData();
        var rig = new MetricsRig(store, ReferenceData.T0 + 61 * ReferenceData.Minute, new MetricsOptions { LateSampleGrace = TimeSpan.FromHours(2) });
        var samples = data.Series.SelectMany(s => s.Points.Select(p => MetricsRig.Absolute(s.Labels, p.T, p.F))).ToList();
        foreach (var batch in samples.Chunk(2_000)) await rig.Writer.WriteAsync("reference/0", batch, CancellationToken.None);

        ISeriesQuerier stored = new StoredSeriesQuerier(store);
        var memory = data.ToStore();
        var engine = new QueryEngine(new EngineOptions());
        var failures = new List<string>();
        foreach (var query in PrometheusComparisonTests.Queries())
        {
            var runs = new List<(string What, Func<ISeriesQuerier, Task<QueryValue>> Run)>
            {
                ("range", async q => await engine.RangeAsync(q, query, ReferenceData.T0, ReferenceData.T0 + 70 * ReferenceData.Minute, 60_000, CancellationToken.None)),
            };
            if (instants)
            {
                runs.Add(("instant", q => engine.InstantAsync(q, query, ReferenceData.T0 + 45 * ReferenceData.Minute + 3_000, CancellationToken.None)));
            }
            foreach (var (what, run) in runs)
            {
                var expected = await PrometheusComparisonTests.EngineAsync(() => run(memory));
                var actual = await PrometheusComparisonTests.EngineAsync(() => run(stored));
                if (ApiResult.Difference(expected, actual) is { } why) failures.Add($"{what} {query}: {why}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
    }
}
