using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Core.Consumers;
using Platform.Core.Log;
using Platform.Core.Log.Appending;
using Platform.Core.Log.Reading;
using Platform.Core.Log.Topics;
using Platform.Core.Storage;
using Platform.Core.Streams.Engine;

namespace Platform.Core.Streams.Running;

/// <summary>
/// Runs every job that is not paused: for each input topic the job's instances share the partitions through the
/// consumer runtime's claims (group <c>$stream.{job}</c>), so one task runs per partition at a time; each held partition
/// is read from the task's position and processed until the log's end, the run's deadline, or the claim is lost.
/// </summary>
public sealed partial class StreamJobRunner : IDisposable
{
    private readonly StreamJobCatalog _catalog;
    private readonly TopicManager _topics;
    private readonly LogReader _reader;
    private readonly LogProducer _producer;
    private readonly IStreamStore _store;
    private readonly ITableLookup _tables;
    private readonly StreamOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<StreamJobRunner> _logger;
    private readonly PartitionClaims _claims;
    private readonly StreamMetrics? _metrics;
    private readonly SemaphoreSlim _drains = new(16); // partitions drained at once on this instance, over every job
    private readonly ConcurrentDictionary<(string Group, string Topic), bool> _joined = new();
    private volatile bool _stopped;
    private readonly ConcurrentDictionary<(string StateId, TopicPartition Input), StreamTask> _tasks = new();

    /// <summary>Creates the runner.</summary>
    public StreamJobRunner(
        StreamJobCatalog catalog, TopicManager topics, LogReader reader, LogProducer producer, IStreamStore store, IOwnershipStore ownership, IKeyedViewStore views,
        IOptions<StreamOptions> options, IOptions<ConsumerOptions> consumerOptions, TimeProvider time, ILogger<StreamJobRunner> logger, StreamMetrics? metrics = null)
    {
        _metrics = metrics;
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(consumerOptions);
        (_catalog, _topics, _reader, _producer, _store, _options, _time, _logger) = (catalog, topics, reader, producer, store, options.Value, time, logger);
        _tables = new KeyedViewLookup(topics, views);
        _claims = new PartitionClaims(ownership, consumerOptions.Value, time, logger, $"{Environment.MachineName[..Math.Min(20, Environment.MachineName.Length)]}-{Guid.NewGuid():N}");
    }

    /// <summary>Runs every job that is not paused; returns the records processed.</summary>
    public async Task<long> RunAllAsync(CancellationToken cancellationToken)
    {
        if (_stopped) return 0; // shutting down: joining again would undo the leave
        IReadOnlyList<CatalogJob> jobs = await _catalog.ListAsync(cancellationToken).ConfigureAwait(false);
        var running = jobs.Where(j => !j.Paused && j.Job.Problem is null).Select(j => j.Job).ToList();

        // Tasks of jobs deleted, paused, reset (another epoch) or gone invalid are forgotten with their state.
        var live = running.Select(j => j.StateId).ToHashSet(StringComparer.Ordinal);
        foreach (var key in _tasks.Keys.Where(k => !live.Contains(k.StateId))) _tasks.TryRemove(key, out _);
        long[] counts = await Task.WhenAll(running.Select(j => RunAsync(j, cancellationToken))).ConfigureAwait(false);
        return counts.Sum();
    }

    /// <summary>Runs one job on the partitions this instance holds; returns the records processed.</summary>
    public async Task<long> RunAsync(StreamJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        long deadline = _time.GetTimestamp() + (long)(_options.MaxRunTime.TotalSeconds * _time.TimestampFrequency);
        long[] perTopic = await Task.WhenAll(job.Inputs.Select(async topic =>
        {
            if (await _topics.FindAsync(topic, cancellationToken).ConfigureAwait(false) is not { } config)
            {
                LogMissingInput(_logger, job.Name, topic);
                return 0L;
            }

            string group = $"$stream.{job.Name}";
            _joined[(group, topic)] = true;
            int[] held = await _claims.BalanceAsync(group, config, cancellationToken).ConfigureAwait(false);
            foreach (var key in _tasks.Keys.Where(k => k.StateId == job.StateId && k.Input.Topic == topic && !held.Contains(k.Input.Partition)))
            {
                _tasks.TryRemove(key, out _); // another instance holds it now: its state here would only go stale
            }

            long[] counts = await Task.WhenAll(held.Select(p =>
            {
                var tp = new TopicPartition(topic, p);
                return _claims.WithClaimAsync(group, tp, async keeper =>
                {
                    await _drains.WaitAsync(cancellationToken).ConfigureAwait(false);
                    try
                    {
                        return await DrainAsync(job, tp, keeper, deadline, cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        _drains.Release();
                    }
                }, cancellationToken);
            })).ConfigureAwait(false);
            return counts.Sum();
        })).ConfigureAwait(false);
        return perTopic.Sum();
    }

    private async Task<long> DrainAsync(StreamJob job, TopicPartition input, ClaimKeeper keeper, long deadline, CancellationToken cancellationToken)
    {
        StreamTask task = _tasks.AddOrUpdate((job.StateId, input), _ => New(job, input), (_, old) => ReferenceEquals(old.Job, job) ? old : New(job, input));
        using var owned = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, keeper.Lost);
        CancellationToken token = owned.Token;
        long processed = 0;
        try
        {
            await task.EnsureLoadedAsync(ct => StartAsync(job, input, ct), token).ConfigureAwait(false);
            while (_time.GetTimestamp() < deadline && !token.IsCancellationRequested && keeper.IsValid && task.IsLoaded)
            {
                FetchResult fetch;
                try
                {
                    // A replay must reach where the interrupted attempt ended, whatever the fetch settings are now.
                    (int maxBytes, int maxRecords) = task.PendingEnd is { } pending
                        ? (64 * 1024 * 1024, (int)Math.Clamp(pending - task.Next, _options.FetchMaxRecords, 100_000))
                        : (_options.FetchMaxBytes, _options.FetchMaxRecords);
                    fetch = await _reader.FetchAsync(input.Topic, input.Partition, task.Next, maxBytes, maxRecords, token).ConfigureAwait(false);
                }
                catch (LogException e) when (e.Kind == LogErrorKind.OffsetOutOfRange)
                {
                    // Retention removed records the job had not processed (go on from the earliest kept), or the topic was
                    // created again and is shorter than where the job stood (go on from its end).
                    PartitionOffsets ends = await _reader.GetOffsetsAsync(input.Topic, input.Partition, token).ConfigureAwait(false);
                    long to = task.Next > ends.Latest ? ends.Latest : ends.Earliest;
                    LogSkipped(_logger, job.Name, input.Topic, input.Partition, task.Next, to);
                    if (!await task.SkipToAsync(to, token).ConfigureAwait(false)) break;
                    continue;
                }

                if (fetch.Records.Count == 0 && fetch.NextOffset <= task.Next) break;
                processed += await task.ProcessAsync(fetch.Records, fetch.NextOffset, token).ConfigureAwait(false);
                if (fetch.NextOffset >= fetch.LogEndOffset) break;
            }
        }
        catch (StreamTaskLostException)
        {
            LogLost(_logger, job.Name, input.Topic, input.Partition);
        }
        catch (OperationCanceledException) when (keeper.Lost.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            task.Drop();
            LogLost(_logger, job.Name, input.Topic, input.Partition);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // One partition's trouble (storage, a topic gone) does not stop the others; the next run goes on from the commit.
            LogFailed(_logger, e, job.Name, input.Topic, input.Partition);
        }

        return processed;
    }

    /// <inheritdoc />
    public void Dispose() => _drains.Dispose();

    /// <summary>On shutdown: stops starting runs and gives up this instance's claims, so that others take over at once.</summary>
    public async Task LeaveAllAsync(CancellationToken cancellationToken)
    {
        _stopped = true;
        foreach ((string group, string topic) in _joined.Keys)
        {
            try
            {
                await _claims.LeaveAsync(group, topic, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogLeaveFailed(_logger, e, group, topic);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream group {Group} could not leave {Topic} on shutdown; its claims lapse by themselves")]
    private static partial void LogLeaveFailed(ILogger logger, Exception exception, string group, string topic);

    private StreamTask New(StreamJob job, TopicPartition input) => new(job, input, _store, _producer, _topics, _tables, _metrics, _logger);

    private async Task<long> StartAsync(StreamJob job, TopicPartition input, CancellationToken cancellationToken)
    {
        PartitionOffsets ends = await _reader.GetOffsetsAsync(input.Topic, input.Partition, cancellationToken).ConfigureAwait(false);
        return job.Start == OffsetReset.Latest ? ends.Latest : ends.Earliest;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {Job} reads topic {Topic}, which does not exist")]
    private static partial void LogMissingInput(ILogger logger, string job, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {Job} on {Topic}/{Partition}: offset {From} is no longer in the log (retention, or the topic was created again); continues from {Earliest}")]
    private static partial void LogSkipped(ILogger logger, string job, string topic, int partition, long from, long earliest);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {Job} on {Topic}/{Partition}: another instance took the task over (or the job was reset); this one stops")]
    private static partial void LogLost(ILogger logger, string job, string topic, int partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {Job} on {Topic}/{Partition} failed; the next run goes on from its last commit")]
    private static partial void LogFailed(ILogger logger, Exception exception, string job, string topic, int partition);
}
