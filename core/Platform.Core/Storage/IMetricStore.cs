using Platform.Core.Metrics.Conversion;
using Platform.Promql.Series;

namespace Platform.Core.Storage;

/// <summary>A series in the index: its metric, id (a hash of its labels), labels, and the first and last block it has samples in.</summary>
public sealed record StoredSeries(string Metric, string Id, Labels Labels, long FirstBlock, long LastBlock);

/// <summary>One series' samples in one block, with the version it was read at (null: not stored yet).</summary>
public sealed record StoredChunk(string Metric, long Block, string SeriesId, byte[] Data, string? Version);

/// <summary>What a conditional chunk write did: the chunks written (with their new versions) and those that lost to another writer.</summary>
public sealed record ChunkWriteResult(IReadOnlyList<StoredChunk> Written, IReadOnlyList<StoredChunk> Lost);

/// <summary>A running total for delta input: totals per series, the last time stamped, and the last log offset applied per log partition.</summary>
public sealed record AccumulatorState(string Key, IReadOnlyDictionary<string, double> Totals, long LastT, IReadOnlyDictionary<string, long> Applied, string? Version);

/// <summary>
/// Where the metrics job keeps series: an index of series per metric, chunks per (metric, block, series), running
/// totals for delta input, and metric metadata. Lost races are values: a chunk or total written with a stale
/// version is reported back, not thrown.
/// </summary>
public interface IMetricStore
{
    /// <summary>The series of one metric, or of all metrics when <paramref name="metric"/> is null.</summary>
    Task<IReadOnlyList<StoredSeries>> ListSeriesAsync(string? metric, CancellationToken cancellationToken);

    /// <summary>Adds series to the index or widens them: the stored first block becomes the lesser, the last the greater (never narrowed); idempotent.</summary>
    Task UpsertSeriesAsync(IReadOnlyList<StoredSeries> series, CancellationToken cancellationToken);

    /// <summary>Chunks of a metric in a block: of the given series, or of all its series when <paramref name="seriesIds"/> is null.</summary>
    Task<IReadOnlyList<StoredChunk>> ReadChunksAsync(string metric, long block, IReadOnlyCollection<string>? seriesIds, CancellationToken cancellationToken);

    /// <summary>Writes chunks, each only if it is still at its <see cref="StoredChunk.Version"/>; those that lost are re-read and merged again.</summary>
    Task<ChunkWriteResult> TryWriteChunksAsync(IReadOnlyList<StoredChunk> chunks, CancellationToken cancellationToken);

    /// <summary>A running total, or null when none is stored.</summary>
    Task<AccumulatorState?> ReadAccumulatorAsync(string key, CancellationToken cancellationToken);

    /// <summary>Writes a running total if it is still at its version; false when another writer got there first.</summary>
    Task<bool> TryWriteAccumulatorAsync(AccumulatorState state, CancellationToken cancellationToken);

    /// <summary>Stores metric metadata (last writer wins).</summary>
    Task UpsertMetadataAsync(IReadOnlyList<MetricMetadata> metadata, CancellationToken cancellationToken);

    /// <summary>All metric metadata.</summary>
    Task<IReadOnlyList<MetricMetadata>> ListMetadataAsync(CancellationToken cancellationToken);
}
