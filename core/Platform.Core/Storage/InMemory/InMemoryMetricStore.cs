using System.Globalization;
using Platform.Core.Metrics.Conversion;

namespace Platform.Core.Storage.InMemory;

/// <summary>The metric store in memory, with the same version rules as the table store.</summary>
public sealed class InMemoryMetricStore : IMetricStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Metric, string Id), StoredSeries> _series = [];
    private readonly Dictionary<(string Metric, long Block, string Id), (byte[] Data, long Version)> _chunks = [];
    private readonly Dictionary<string, AccumulatorState> _accumulators = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MetricMetadata> _metadata = new(StringComparer.Ordinal);
    private long _version;

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredSeries>> ListSeriesAsync(string? metric, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<StoredSeries> found = _series.Values.Where(s => metric is null || s.Metric == metric).ToList();
            return Task.FromResult(found);
        }
    }

    /// <inheritdoc />
    public Task UpsertSeriesAsync(IReadOnlyList<StoredSeries> series, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(series);
        lock (_gate)
        {
            foreach (var s in series)
            {
                _series[(s.Metric, s.Id)] = _series.TryGetValue((s.Metric, s.Id), out var old)
                    ? s with { FirstBlock = Math.Min(old.FirstBlock, s.FirstBlock), LastBlock = Math.Max(old.LastBlock, s.LastBlock) }
                    : s;
            }
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredChunk>> ReadChunksAsync(string metric, long block, IReadOnlyCollection<string>? seriesIds, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<StoredChunk> found = _chunks
                .Where(c => c.Key.Metric == metric && c.Key.Block == block && (seriesIds is null || seriesIds.Contains(c.Key.Id)))
                .Select(c => new StoredChunk(metric, block, c.Key.Id, c.Value.Data, c.Value.Version.ToString(CultureInfo.InvariantCulture)))
                .ToList();
            return Task.FromResult(found);
        }
    }

    /// <inheritdoc />
    public Task<ChunkWriteResult> TryWriteChunksAsync(IReadOnlyList<StoredChunk> chunks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        var lost = new List<StoredChunk>();
        var written = new List<StoredChunk>();
        lock (_gate)
        {
            foreach (var chunk in chunks)
            {
                var key = (chunk.Metric, chunk.Block, chunk.SeriesId);
                var current = _chunks.TryGetValue(key, out var held) ? held.Version.ToString(CultureInfo.InvariantCulture) : null;
                if (current != chunk.Version)
                {
                    lost.Add(chunk);
                    continue;
                }
                _chunks[key] = (chunk.Data, ++_version);
                written.Add(chunk with { Version = _version.ToString(CultureInfo.InvariantCulture) });
            }
        }
        return Task.FromResult(new ChunkWriteResult(written, lost));
    }

    /// <inheritdoc />
    public Task<AccumulatorState?> ReadAccumulatorAsync(string key, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_accumulators.TryGetValue(key, out var state) ? state : null);
        }
    }

    /// <inheritdoc />
    public Task<bool> TryWriteAccumulatorAsync(AccumulatorState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        lock (_gate)
        {
            var current = _accumulators.TryGetValue(state.Key, out var held) ? held.Version : null;
            if (current != state.Version) return Task.FromResult(false);
            _accumulators[state.Key] = state with { Version = (++_version).ToString(CultureInfo.InvariantCulture) };
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task UpsertMetadataAsync(IReadOnlyList<MetricMetadata> metadata, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        lock (_gate)
        {
            foreach (var m in metadata) _metadata[m.Metric] = m;
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<MetricMetadata>> ListMetadataAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<MetricMetadata>>(_metadata.Values.OrderBy(m => m.Metric, StringComparer.Ordinal).ToList());
        }
    }
}
