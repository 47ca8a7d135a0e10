using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Core.Metrics.Chunks;
using Platform.Core.Metrics.Conversion;
using Platform.Core.Storage;
using Platform.Core.Storage.Azure;
using Platform.Promql.Series;

namespace Platform.Core.Metrics.Aggregation;

/// <summary>
/// Stores converted samples: drops those outside the late/future window and those of new series past the per-metric
/// limit, turns delta input into running totals, and merges samples into the (metric, hour, series) chunks.
/// <para>
/// Exactly once: chunk merges are keyed by time, so writing the same samples again changes nothing; a running total
/// records the last log offset it applied per log partition and skips what it has seen. Chunks are written before the
/// totals, so a crash between the two replays to the same values, and a crash after both replays to nothing new.
/// </para>
/// </summary>
public sealed partial class SampleWriter
{
    private const int MaxAttempts = 8;
    private readonly IMetricStore _store;
    private readonly MetricsOptions _options;
    private readonly MetricsTelemetry _telemetry;
    private readonly TimeProvider _time;
    private readonly ILogger<SampleWriter> _logger;
    private readonly ConcurrentDictionary<string, Lazy<Task<ConcurrentDictionary<string, StoredSeries>>>> _series = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Metric, long Block, string Id), (string Version, List<Point> Points)> _chunks = new();
    private readonly ConcurrentDictionary<string, bool> _limitedMetrics = new(StringComparer.Ordinal);

    /// <summary>Creates the writer.</summary>
    public SampleWriter(IMetricStore store, IOptions<MetricsOptions> options, MetricsTelemetry telemetry, TimeProvider time, ILogger<SampleWriter> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _options = options.Value;
        _telemetry = telemetry;
        _time = time;
        _logger = logger;
    }

    /// <summary>Stores the samples of one batch read from <paramref name="logPartition"/> (e.g. <c>otlp.metrics/3</c>).</summary>
    public async Task WriteAsync(string logPartition, IReadOnlyList<ConvertedSample> samples, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0) return;
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var grace = (long)_options.LateSampleGrace.TotalMilliseconds;
        var tolerance = (long)_options.FutureTolerance.TotalMilliseconds;
        var kept = new List<(ConvertedSample Sample, string Id)>(samples.Count);
        foreach (var sample in samples)
        {
            // Judged against the record's append time, not the clock: a replay hours later decides the same way.
            var arrived = sample.ArrivedAt > 0 ? sample.ArrivedAt : now;
            if (sample.T < arrived - grace) { _telemetry.Dropped(1, "too_old", sample.Series.Name); continue; }
            if (sample.T > arrived + tolerance) { _telemetry.Dropped(1, "too_new", sample.Series.Name); continue; }
            if (TooLarge(sample.Series) is { } reason) { _telemetry.Dropped(1, reason, sample.Series.Name.Length > MaxNameLength ? "" : sample.Series.Name); continue; }
            kept.Add((sample, SeriesId.Of(sample.Series)));
        }

        var admitted = await AdmitSeriesAsync(kept, cancellationToken).ConfigureAwait(false);
        var (points, totals) = await AccumulateAsync(logPartition, admitted, cancellationToken).ConfigureAwait(false);
        foreach (var (sample, id) in admitted)
        {
            if (sample.Kind != SampleKind.Absolute) continue;
            points.Add((sample.Series.Name, id, sample.T, sample.Value, sample.StartT));
        }
        await IndexAsync(points, cancellationToken).ConfigureAwait(false);
        await WriteChunksAsync(points, cancellationToken).ConfigureAwait(false);
        foreach (var state in totals)
        {
            if (!await _store.TryWriteAccumulatorAsync(state, cancellationToken).ConfigureAwait(false))
            {
                // Another partition's batch moved the same total: this batch is handled again (its chunks are idempotent).
                throw new InvalidOperationException($"Running total {state.Key} changed while this batch was applied; the batch is retried.");
            }
        }
    }

    private const int MaxNameLength = 200;
    private const int MaxLabelChars = 30_000;

    /// <summary>Why a series cannot be stored (a metric name over 200 characters, labels over 30,000), or null.</summary>
    private static string? TooLarge(Labels series)
    {
        if (series.Name.Length > MaxNameLength) return "name_too_long";
        var chars = 0;
        foreach (var label in series.Items) chars += label.Name.Length + label.Value.Length + 6;
        return chars > MaxLabelChars ? "labels_too_large" : null;
    }

    private async Task<List<(ConvertedSample Sample, string Id)>> AdmitSeriesAsync(List<(ConvertedSample Sample, string Id)> samples, CancellationToken cancellationToken)
    {
        var admitted = new List<(ConvertedSample, string)>(samples.Count);
        foreach (var group in samples.GroupBy(s => s.Sample.Series.Name, StringComparer.Ordinal))
        {
            var known = await KnownAsync(group.Key, cancellationToken).ConfigureAwait(false);
            var dropped = 0;
            foreach (var (sample, id) in group)
            {
                if (!known.ContainsKey(id))
                {
                    if (known.Count >= _options.MaxSeriesPerMetric)
                    {
                        dropped++;
                        continue;
                    }
                    // The index row is written with the chunks; until then the series is known here only.
                    known.TryAdd(id, new StoredSeries(group.Key, id, sample.Series, long.MaxValue, long.MinValue));
                }
                admitted.Add((sample, id));
            }
            if (dropped > 0)
            {
                _telemetry.Dropped(dropped, "series_limit", group.Key);
                if (_limitedMetrics.TryAdd(group.Key, true)) LogSeriesLimit(_logger, group.Key, _options.MaxSeriesPerMetric);
            }
        }
        return admitted;
    }

    /// <summary>The series of a metric this writer knows, loaded from the index once; a failed load is forgotten, not kept.</summary>
    private async Task<ConcurrentDictionary<string, StoredSeries>> KnownAsync(string metric, CancellationToken cancellationToken)
    {
        var lazy = _series.GetOrAdd(metric, m => new Lazy<Task<ConcurrentDictionary<string, StoredSeries>>>(async () =>
        {
            // Shared by every batch that asks: no one caller's cancellation may fail it for the others.
            var stored = await _store.ListSeriesAsync(m, CancellationToken.None).ConfigureAwait(false);
            return new ConcurrentDictionary<string, StoredSeries>(stored.Select(s => KeyValuePair.Create(s.Id, s)), StringComparer.Ordinal);
        }));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch when (lazy.Value.IsFaulted || lazy.Value.IsCanceled)
        {
            _series.TryRemove(KeyValuePair.Create(metric, lazy));
            throw;
        }
    }

    private async Task<(List<(string Metric, string Id, long T, double Value, long StartT)> Points, List<AccumulatorState> Totals)> AccumulateAsync(
        string logPartition, List<(ConvertedSample Sample, string Id)> samples, CancellationToken cancellationToken)
    {
        var points = new List<(string, string, long, double, long)>();
        var totals = new List<AccumulatorState>();
        var families = samples.Where(s => s.Sample.Kind == SampleKind.Delta).GroupBy(s => SeriesId.Family(s.Sample.Series), StringComparer.Ordinal).ToList();
        var gate = new SemaphoreSlim(_options.WriteConcurrency);
        var results = await Task.WhenAll(families.Select(async family =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var state = await _store.ReadAccumulatorAsync(family.Key, cancellationToken).ConfigureAwait(false);
                return Apply(family.Key, state, logPartition, family.ToList());
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
        foreach (var (familyPoints, state) in results)
        {
            points.AddRange(familyPoints);
            if (state is not null) totals.Add(state);
        }
        return (points, totals);
    }

    /// <summary>Adds a family's new increments (offsets past what the total applied for this log partition) to its running totals.</summary>
    internal static (List<(string Metric, string Id, long T, double Value, long StartT)> Points, AccumulatorState? State) Apply(
        string key, AccumulatorState? state, string logPartition, List<(ConvertedSample Sample, string Id)> samples)
    {
        var applied = state?.Applied.GetValueOrDefault(logPartition, -1) ?? -1;
        var fresh = samples.Where(s => s.Sample.Offset > applied).OrderBy(s => s.Sample.Offset).ThenBy(s => s.Sample.T).ToList();
        var points = new List<(string, string, long, double, long)>();
        if (fresh.Count == 0) return (points, null);
        var totals = new Dictionary<string, double>(state?.Totals ?? new Dictionary<string, double>(), StringComparer.Ordinal);
        var lastT = state?.LastT ?? 0;
        foreach (var (sample, id) in fresh)
        {
            // A running total never goes back in time: a late increment is stamped at the newest time already written.
            var t = Math.Max(sample.T, lastT);
            lastT = t;
            totals[id] = totals.GetValueOrDefault(id) + sample.Value;
            points.Add((sample.Series.Name, id, t, totals[id], 0));
        }
        var newApplied = new Dictionary<string, long>(state?.Applied ?? new Dictionary<string, long>(), StringComparer.Ordinal)
        {
            [logPartition] = fresh[^1].Sample.Offset,
        };
        return (points, new AccumulatorState(key, totals, lastT, newApplied, state?.Version));
    }

    private async Task IndexAsync(List<(string Metric, string Id, long T, double Value, long StartT)> points, CancellationToken cancellationToken)
    {
        var changed = new List<(ConcurrentDictionary<string, StoredSeries> Known, StoredSeries Series, bool New)>();
        foreach (var group in points.GroupBy(p => (p.Metric, p.Id)))
        {
            var known = await KnownAsync(group.Key.Metric, cancellationToken).ConfigureAwait(false);
            var series = known[group.Key.Id];
            var first = Math.Min(series.FirstBlock, TimeBlocks.Start(group.Min(p => p.T)));
            var last = Math.Max(series.LastBlock, TimeBlocks.Start(group.Max(p => p.T)));
            if (first == series.FirstBlock && last == series.LastBlock) continue;
            changed.Add((known, series with { FirstBlock = first, LastBlock = last }, series.FirstBlock == long.MaxValue));
        }
        if (changed.Count == 0) return;
        // The index is widened (never narrowed) by the store; this writer's copy changes only once that succeeded.
        await _store.UpsertSeriesAsync([.. changed.Select(c => c.Series)], cancellationToken).ConfigureAwait(false);
        foreach (var (known, series, isNew) in changed)
        {
            known.AddOrUpdate(series.Id, series, (_, old) => old with
            {
                FirstBlock = Math.Min(old.FirstBlock, series.FirstBlock),
                LastBlock = Math.Max(old.LastBlock, series.LastBlock),
            });
            if (isNew) _telemetry.Created(1);
        }
    }

    private async Task WriteChunksAsync(List<(string Metric, string Id, long T, double Value, long StartT)> points, CancellationToken cancellationToken)
    {
        var pending = points.GroupBy(p => (p.Metric, Block: TimeBlocks.Start(p.T), p.Id))
            .ToDictionary(g => g.Key, g => g.Select(p => (p.T, p.Value, p.StartT)).ToList());
        for (var attempt = 1; pending.Count > 0; attempt++)
        {
            var writes = new List<(StoredChunk Chunk, List<Point> Points, int Added)>();
            foreach (var byBlock in pending.GroupBy(p => (p.Key.Metric, p.Key.Block)))
            {
                var missing = byBlock.Where(p => !_chunks.ContainsKey(p.Key)).Select(p => p.Key.Id).ToList();
                if (missing.Count > 0)
                {
                    var read = await _store.ReadChunksAsync(byBlock.Key.Metric, byBlock.Key.Block, missing, cancellationToken).ConfigureAwait(false);
                    foreach (var chunk in read) _chunks[(chunk.Metric, chunk.Block, chunk.SeriesId)] = (chunk.Version!, ChunkCodec.Decode(chunk.Block, chunk.Data));
                }
                foreach (var (key, added) in byBlock)
                {
                    var existing = _chunks.TryGetValue(key, out var held) ? held : (Version: (string?)null, Points: []);
                    var merged = ChunkCodec.Merge(existing.Points, WithRestarts(key.Block, existing.Points, added));
                    var data = ChunkCodec.Encode(key.Block, merged);
                    if (data.Length > AzureMetricStore.MaxChunkBytes)
                    {
                        _telemetry.Dropped(added.Count, "chunk_full", key.Metric);
                        continue;
                    }
                    writes.Add((new StoredChunk(key.Metric, key.Block, key.Id, data, existing.Version), merged, added.Count));
                }
            }
            var result = await WriteAsync(writes.Select(w => w.Chunk).ToList(), cancellationToken).ConfigureAwait(false);
            var lostKeys = result.Lost.Select(c => (c.Metric, c.Block, c.SeriesId)).ToHashSet();
            var versions = result.Written.ToDictionary(c => (c.Metric, c.Block, c.SeriesId), c => c.Version);
            var next = new Dictionary<(string, long, string), List<(long, double, long)>>();
            foreach (var (chunk, merged, added) in writes)
            {
                var key = (chunk.Metric, chunk.Block, chunk.SeriesId);
                if (lostKeys.Contains(key))
                {
                    _chunks.TryRemove(key, out _);
                    next[key] = pending[key];
                    continue;
                }
                _telemetry.Written(added);
                // Kept for the next batch's merge; a version the store did not answer means "read it again".
                if (versions.GetValueOrDefault(key) is { } version) _chunks[key] = (version, merged);
                else _chunks.TryRemove(key, out _);
            }
            pending = next;
            if (pending.Count > 0 && attempt >= MaxAttempts)
            {
                throw new InvalidOperationException($"{pending.Count} chunks kept changing under this writer after {MaxAttempts} attempts; the batch is retried.");
            }
        }
        EvictOldChunks();
    }

    /// <summary>
    /// A counter whose OTLP start time is newer than every sample stored before it restarted: a zero at its start time
    /// (when that falls in this block) tells rate() and increase() about the reset even if the new value is higher.
    /// </summary>
    private static IEnumerable<Point> WithRestarts(long block, IReadOnlyList<Point> existing, List<(long T, double Value, long StartT)> added)
    {
        foreach (var (t, value, startT) in added.OrderBy(a => a.T))
        {
            if (startT > 0 && startT < t && startT >= block
                && !existing.Any(p => p.T >= startT && p.T < t) && !added.Any(a => a.T >= startT && a.T < t))
            {
                yield return new Point(startT, 0);
            }
            yield return new Point(t, value);
        }
    }

    private async Task<ChunkWriteResult> WriteAsync(List<StoredChunk> chunks, CancellationToken cancellationToken)
    {
        var lost = new List<StoredChunk>();
        var written = new List<StoredChunk>();
        var gate = new SemaphoreSlim(_options.WriteConcurrency);
        await Task.WhenAll(chunks.GroupBy(c => (c.Metric, c.Block)).Select(async group =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var outcome = await _store.TryWriteChunksAsync(group.ToList(), cancellationToken).ConfigureAwait(false);
                lock (lost)
                {
                    lost.AddRange(outcome.Lost);
                    written.AddRange(outcome.Written);
                }
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
        return new ChunkWriteResult(written, lost);
    }

    private void EvictOldChunks()
    {
        var horizon = TimeBlocks.Start(_time.GetUtcNow().ToUnixTimeMilliseconds() - (long)_options.LateSampleGrace.TotalMilliseconds);
        foreach (var key in _chunks.Keys)
        {
            if (key.Block < horizon) _chunks.TryRemove(key, out _);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Metric {Metric} reached {Limit} series (Platform:Metrics:MaxSeriesPerMetric): samples of new series are dropped and counted in platform.metrics.samples_dropped{{reason=series_limit}}")]
    private static partial void LogSeriesLimit(ILogger logger, string metric, int limit);
}
