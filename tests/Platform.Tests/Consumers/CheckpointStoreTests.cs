using System.Diagnostics.Metrics;
using Azure.Data.Tables;
using Platform.Core.Consumers;
using Platform.Core.Log;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Consumers;

[Collection(AzuriteCollection.Name)]
public sealed class CheckpointStoreTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Results_and_offset_commit_together_or_not_at_all()
    {
        var store = new CheckpointStore(await azurite.NewTableAsync(nameof(Results_and_offset_commit_together_or_not_at_all)));
        var tp = new TopicPartition("metrics", 2);
        TableTransactionAction Result(string window, long count) =>
            new(TableTransactionActionType.UpsertReplace, new TableEntity("agg", $"r:{window}") { ["Count"] = count });

        Checkpoint? first = await store.TryCommitAsync("agg", tp, 10, null, [Result("12:00", 10)], default);
        Assert.NotNull(first);

        // A stale writer (its checkpoint was moved since it read it) commits neither its results nor its offset.
        await store.SetAsync("agg", tp, 5, default);
        Assert.Null(await store.TryCommitAsync("agg", tp, 20, first, [Result("12:00", 99)], default));
        Assert.Equal(10, (await store.Table.GetEntityAsync<TableEntity>("agg", "r:12:00")).Value.GetInt64("Count"));
        Assert.Equal(5, (await store.GetAsync("agg", tp, default))!.Offset);

        Checkpoint current = (await store.GetAsync("agg", tp, default))!;
        Assert.NotNull(await store.TryCommitAsync("agg", tp, 20, current, [Result("12:00", 20)], default));
        Assert.Equal(20, (await store.Table.GetEntityAsync<TableEntity>("agg", "r:12:00")).Value.GetInt64("Count"));
        Assert.Equal(20, (await store.GetAsync("agg", tp, default))!.Offset);
    }

    [Fact]
    public void Lag_and_throughput_are_published_as_opentelemetry_metrics()
    {
        using var metrics = new ConsumerMetrics();
        var seen = new Dictionary<string, long>();
        using var listener = new MeterListener { InstrumentPublished = (i, l) => { if (i.Meter.Name == ConsumerMetrics.MeterName) { l.EnableMeasurementEvents(i); } } };
        listener.SetMeasurementEventCallback<long>((i, value, _, _) => seen[i.Name] = seen.GetValueOrDefault(i.Name) + value);
        listener.Start();
        metrics.Report("g", new TopicPartition("t", 0), handled: 7, deadLettered: 1, lag: 42);
        listener.RecordObservableInstruments();
        Assert.Equal(7, seen["platform.consumer.records"]);
        Assert.Equal(1, seen["platform.consumer.dead_lettered"]);
        Assert.Equal(42, seen["platform.consumer.lag"]);
    }
}
