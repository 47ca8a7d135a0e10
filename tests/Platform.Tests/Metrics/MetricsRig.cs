using Microsoft.Extensions.Logging.Abstractions;
using Platform.Core.Metrics;
using Platform.Core.Metrics.Aggregation;
using Platform.Core.Metrics.Chunks;
using Platform.Core.Metrics.Conversion;
using Platform.Core.Storage;
using Platform.Promql.Series;

namespace Platform.Tests.Metrics;

/// <summary>A sample writer over a store, at a fixed time; helpers to make samples and read what was stored.</summary>
internal sealed class MetricsRig
{
    public MetricsRig(IMetricStore store, long nowMs, MetricsOptions? options = null)
    {
        Store = store;
        Options = options ?? new MetricsOptions();
        Time = new FixedTime(DateTimeOffset.FromUnixTimeMilliseconds(nowMs));
        Writer = new SampleWriter(store, Microsoft.Extensions.Options.Options.Create(Options), new MetricsTelemetry(), Time, NullLogger<SampleWriter>.Instance);
    }

    public IMetricStore Store { get; }

    public MetricsOptions Options { get; }

    public FixedTime Time { get; }

    public SampleWriter Writer { get; }

    public static ConvertedSample Delta(Labels series, long t, double value, long offset) => new(series, t, value, SampleKind.Delta, 0, offset);

    public static ConvertedSample Absolute(Labels series, long t, double value, long offset = 0, long startT = 0) => new(series, t, value, SampleKind.Absolute, startT, offset);

    /// <summary>Every stored sample of a series, across blocks, in time order.</summary>
    public async Task<List<Point>> PointsAsync(Labels series)
    {
        var id = SeriesId.Of(series);
        var stored = (await Store.ListSeriesAsync(series.Name, CancellationToken.None)).SingleOrDefault(s => s.Id == id);
        if (stored is null) return [];
        var points = new List<Point>();
        for (var block = stored.FirstBlock; block <= stored.LastBlock; block += TimeBlocks.Length)
        {
            foreach (var chunk in await Store.ReadChunksAsync(series.Name, block, [id], CancellationToken.None))
            {
                points.AddRange(ChunkCodec.Decode(chunk.Block, chunk.Data));
            }
        }
        return points;
    }
}

internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>A store whose next running-total write fails as if the process died between chunks and totals.</summary>
internal sealed class CrashBeforeTotals(IMetricStore inner) : IMetricStore
{
    public int CrashesLeft { get; set; }

    public int IndexFailuresLeft { get; set; }

    public int ListFailuresLeft { get; set; }

    public Task<IReadOnlyList<StoredSeries>> ListSeriesAsync(string? metric, CancellationToken cancellationToken)
    {
        if (ListFailuresLeft > 0)
        {
            ListFailuresLeft--;
            throw new IOException("storage answered 503");
        }
        return inner.ListSeriesAsync(metric, cancellationToken);
    }

    public Task UpsertSeriesAsync(IReadOnlyList<StoredSeries> series, CancellationToken cancellationToken)
    {
        if (IndexFailuresLeft > 0)
        {
            IndexFailuresLeft--;
            throw new IOException("storage answered 503");
        }
        return inner.UpsertSeriesAsync(series, cancellationToken);
    }

    public Task<IReadOnlyList<StoredChunk>> ReadChunksAsync(string metric, long block, IReadOnlyCollection<string>? seriesIds, CancellationToken cancellationToken) =>
        inner.ReadChunksAsync(metric, block, seriesIds, cancellationToken);

    public Task<ChunkWriteResult> TryWriteChunksAsync(IReadOnlyList<StoredChunk> chunks, CancellationToken cancellationToken) => inner.TryWriteChunksAsync(chunks, cancellationToken);

    public Task<AccumulatorState?> ReadAccumulatorAsync(string key, CancellationToken cancellationToken) => inner.ReadAccumulatorAsync(key, cancellationToken);

    public Task<bool> TryWriteAccumulatorAsync(AccumulatorState state, CancellationToken cancellationToken)
    {
        if (CrashesLeft > 0)
        {
            CrashesLeft--;
            throw new IOException("the process died here");
        }
        return inner.TryWriteAccumulatorAsync(state, cancellationToken);
    }

    public Task UpsertMetadataAsync(IReadOnlyList<MetricMetadata> metadata, CancellationToken cancellationToken) => inner.UpsertMetadataAsync(metadata, cancellationToken);

    public Task<IReadOnlyList<MetricMetadata>> ListMetadataAsync(CancellationToken cancellationToken) => inner.ListMetadataAsync(cancellationToken);
}
