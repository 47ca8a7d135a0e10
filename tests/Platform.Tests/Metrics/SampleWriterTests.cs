using Platform.Core.Metrics;
using Platform.Core.Storage.InMemory;
using Platform.Promql.Series;

namespace Platform.Tests.Metrics;

/// <summary>Samples are stored once whatever is replayed, late ones within the grace window are kept, limits hold.</summary>
public sealed class SampleWriterTests
{
    private const long Now = 1_767_229_200_000; // 2026-01-01T01:00:00Z
    private static readonly Labels Jobs = Labels.Of("__name__", "jobs_done_total", "job", "worker");

    [Fact]
    public async Task A_crash_between_the_chunks_and_the_running_total_neither_loses_nor_doubles_a_delta()
    {
        var store = new CrashBeforeTotals(new InMemoryMetricStore()) { CrashesLeft = 1 };
        var rig = new MetricsRig(store, Now);
        var batch = new[] { MetricsRig.Delta(Jobs, Now - 20_000, 5, offset: 10), MetricsRig.Delta(Jobs, Now - 10_000, 5, offset: 11) };

        await Assert.ThrowsAsync<IOException>(() => rig.Writer.WriteAsync("otlp.metrics/0", batch, CancellationToken.None));
        // The consumer did not commit: the same batch comes again, and again after a crash that followed the total's write.
        await rig.Writer.WriteAsync("otlp.metrics/0", batch, CancellationToken.None);
        await new MetricsRig(store, Now).Writer.WriteAsync("otlp.metrics/0", batch, CancellationToken.None);
        await rig.Writer.WriteAsync("otlp.metrics/0", [MetricsRig.Delta(Jobs, Now - 5_000, 3, offset: 12)], CancellationToken.None);

        Assert.Equal([new Point(Now - 20_000, 5), new Point(Now - 10_000, 10), new Point(Now - 5_000, 13)], await rig.PointsAsync(Jobs));
    }

    [Fact]
    public async Task Running_totals_keep_each_log_partition_apart()
    {
        var rig = new MetricsRig(new InMemoryMetricStore(), Now);
        await rig.Writer.WriteAsync("otlp.metrics/0", [MetricsRig.Delta(Jobs, Now - 20_000, 1, offset: 100)], CancellationToken.None);
        // Partition 1 is at a lower offset: its increments are new, not "already applied".
        await rig.Writer.WriteAsync("otlp.metrics/1", [MetricsRig.Delta(Jobs, Now - 10_000, 2, offset: 5)], CancellationToken.None);
        await rig.Writer.WriteAsync("otlp.metrics/0", [MetricsRig.Delta(Jobs, Now - 20_000, 1, offset: 100)], CancellationToken.None);

        Assert.Equal([new Point(Now - 20_000, 1), new Point(Now - 10_000, 3)], await rig.PointsAsync(Jobs));
    }

    [Fact]
    public async Task Absolute_samples_replayed_or_out_of_order_are_stored_once_in_time_order()
    {
        var rig = new MetricsRig(new InMemoryMetricStore(), Now);
        var temp = Labels.Of("__name__", "temp", "job", "api");
        await rig.Writer.WriteAsync("p/0", [MetricsRig.Absolute(temp, Now - 10_000, 2), MetricsRig.Absolute(temp, Now - 30_000, 1)], CancellationToken.None);
        await rig.Writer.WriteAsync("p/0", [MetricsRig.Absolute(temp, Now - 10_000, 2), MetricsRig.Absolute(temp, Now - 20_000, 1.5)], CancellationToken.None);
        // Across an hour boundary: the late sample lands in the previous block's chunk.
        await rig.Writer.WriteAsync("p/0", [MetricsRig.Absolute(temp, Now - 3_700_000 + 3_600_000 * 0 + 200_000, 0.5)], CancellationToken.None);

        Assert.Equal([new Point(Now - 3_500_000, 0.5), new Point(Now - 30_000, 1), new Point(Now - 20_000, 1.5), new Point(Now - 10_000, 2)], await rig.PointsAsync(temp));
    }

    [Fact]
    public async Task Samples_older_than_the_grace_window_or_too_far_ahead_are_dropped()
    {
        var rig = new MetricsRig(new InMemoryMetricStore(), Now, new MetricsOptions { LateSampleGrace = TimeSpan.FromMinutes(30) });
        var temp = Labels.Of("__name__", "temp", "job", "api");
        await rig.Writer.WriteAsync("p/0", [
            MetricsRig.Absolute(temp, Now - 31 * 60_000, 1),
            MetricsRig.Absolute(temp, Now - 29 * 60_000, 2),
            MetricsRig.Absolute(temp, Now + 11 * 60_000, 3),
        ], CancellationToken.None);

        Assert.Equal([new Point(Now - 29 * 60_000, 2)], await rig.PointsAsync(temp));
    }

    [Fact]
    public async Task New_series_past_the_per_metric_limit_are_dropped_and_known_ones_still_written()
    {
        var rig = new MetricsRig(new InMemoryMetricStore(), Now, new MetricsOptions { MaxSeriesPerMetric = 2 });
        Labels Pod(int i) => Labels.Of("__name__", "pod_cpu", "pod", $"p{i}");
        await rig.Writer.WriteAsync("p/0", [.. Enumerable.Range(0, 5).Select(i => MetricsRig.Absolute(Pod(i), Now - 1000, i))], CancellationToken.None);
        await rig.Writer.WriteAsync("p/0", [MetricsRig.Absolute(Pod(1), Now - 500, 9)], CancellationToken.None);

        Assert.Equal(2, (await rig.Store.ListSeriesAsync("pod_cpu", CancellationToken.None)).Count);
        Assert.Equal(2, (await rig.PointsAsync(Pod(1))).Count);
        Assert.Empty(await rig.PointsAsync(Pod(4)));
    }

    [Fact]
    public async Task A_counter_that_restarts_gets_a_zero_at_its_new_start_time()
    {
        var rig = new MetricsRig(new InMemoryMetricStore(), Now);
        var requests = Labels.Of("__name__", "requests_total", "job", "api");
        long start0 = Now - 600_000, start1 = Now - 250_000;
        await rig.Writer.WriteAsync("p/0", [MetricsRig.Absolute(requests, Now - 500_000, 100, startT: start0), MetricsRig.Absolute(requests, Now - 300_000, 110, startT: start0)], CancellationToken.None);
        await rig.Writer.WriteAsync("p/0", [MetricsRig.Absolute(requests, Now - 200_000, 150, startT: start1)], CancellationToken.None);

        Assert.Equal([new Point(start0, 0), new Point(Now - 500_000, 100), new Point(Now - 300_000, 110), new Point(start1, 0), new Point(Now - 200_000, 150)],
            await rig.PointsAsync(requests));
    }

    [Fact]
    public async Task A_replay_hours_later_admits_exactly_what_the_first_attempt_did()
    {
        var store = new CrashBeforeTotals(new InMemoryMetricStore()) { CrashesLeft = 1 };
        var rig = new MetricsRig(store, Now);
        // Appended just now, stamped 50 minutes ago: inside the 1-hour grace of its arrival.
        var batch = new[] { MetricsRig.Delta(Jobs, Now - 50 * 60_000, 4, offset: 1) with { ArrivedAt = Now } };
        await Assert.ThrowsAsync<IOException>(() => rig.Writer.WriteAsync("otlp.metrics/0", batch, CancellationToken.None));

        // The job was down for two hours; the replay judges by the record's arrival, not by the clock.
        rig.Time.Now = rig.Time.Now.AddHours(2);
        await rig.Writer.WriteAsync("otlp.metrics/0", batch, CancellationToken.None);
        var total = await store.ReadAccumulatorAsync(Platform.Core.Metrics.SeriesId.Family(Jobs), CancellationToken.None);
        Assert.Equal(4, total!.Totals.Values.Single());
        Assert.Equal([new Point(Now - 50 * 60_000, 4)], await rig.PointsAsync(Jobs));
    }

    [Fact]
    public async Task A_failed_index_write_or_index_read_is_tried_again_not_remembered()
    {
        var store = new CrashBeforeTotals(new InMemoryMetricStore()) { IndexFailuresLeft = 1, ListFailuresLeft = 1 };
        var rig = new MetricsRig(store, Now);
        var temp = Labels.Of("__name__", "temp", "job", "api");
        var batch = new[] { MetricsRig.Absolute(temp, Now - 1_000, 1) };
        await Assert.ThrowsAsync<IOException>(() => rig.Writer.WriteAsync("p/0", batch, CancellationToken.None)); // index read fails
        await Assert.ThrowsAsync<IOException>(() => rig.Writer.WriteAsync("p/0", batch, CancellationToken.None)); // index write fails
        await rig.Writer.WriteAsync("p/0", batch, CancellationToken.None);

        Assert.Single(await store.ListSeriesAsync("temp", CancellationToken.None));
        Assert.Equal([new Point(Now - 1_000, 1)], await rig.PointsAsync(temp));
    }
}
