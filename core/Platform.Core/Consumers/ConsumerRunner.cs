using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Core.Log;
using Platform.Core.Log.Reading;
using Platform.Core.Log.Topics;
using Platform.Core.Storage;

namespace Platform.Core.Consumers;

/// <summary>
/// Runs a consumer group's job on this instance: joins the group, claims its share of partitions, reads each
/// from its committed offset with one fetch prefetched, hands records to the job (retrying, then dead-lettering),
/// and commits after each batch. While a partition is drained its claim is renewed in the background; when it is
/// lost the handler is cancelled and nothing is committed, so two instances never process one partition at once.
/// Claim expiry is judged on the storage's clock, never on an instance's. At-least-once: a crash between handling
/// and commit redelivers, never loses. Called by timer and queue triggers.
/// </summary>
public sealed partial class ConsumerRunner(
    TopicManager topics,
    LogReader reader,
    ICheckpointStore checkpoints,
    IOwnershipStore ownership,
    DeadLetterWriter deadLetters,
    ConsumerMetrics metrics,
    IOptions<ConsumerOptions> options,
    TimeProvider time,
    ILogger<ConsumerRunner> logger)
{
    /// <summary>This instance's name in ownership claims.</summary>
    public string InstanceId { get; init; } = $"{Environment.MachineName[..Math.Min(20, Environment.MachineName.Length)]}-{Guid.NewGuid():N}";

    // Runs of one instance overlap (a wake-up per partition, the sweep): balancing is serialized per group and
    // topic, draining per partition, and the instance's current claims (with their ETags) are kept here so that
    // one run's renewal never invalidates another's.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> _balanceLocks = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Group, TopicPartition Partition), SemaphoreSlim> _partitionLocks = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Group, TopicPartition Partition), HeldClaim> _held = new();

    /// <summary>Balances, then drains the partitions this instance holds (all, or only <paramref name="only"/>).</summary>
    public async Task<RunResult> RunAsync(ConsumerRegistration registration, CancellationToken cancellationToken, int? only = null)
    {
        ArgumentNullException.ThrowIfNull(registration);
        TopicConfig config = await topics.GetAsync(registration.Topic, cancellationToken).ConfigureAwait(false);
        int[] held = await BalanceAsync(registration.Group, config, cancellationToken).ConfigureAwait(false);
        long deadline = time.GetTimestamp() + (long)(options.Value.MaxRunTime.TotalSeconds * time.TimestampFrequency);
        var results = await Task.WhenAll(held.Where(p => only is null || p == only).Select(p => DrainHeldAsync(registration, new TopicPartition(config.Name, p), deadline, cancellationToken))).ConfigureAwait(false);
        return new RunResult(held, results.Sum(r => r.Handled), results.Sum(r => r.DeadLettered));
    }

    private async Task<int[]> BalanceAsync(string group, TopicConfig config, CancellationToken cancellationToken)
    {
        ConsumerOptions o = options.Value;
        SemaphoreSlim balanceLock = _balanceLocks.GetOrAdd($"{group}:{config.Name}", _ => new SemaphoreSlim(1, 1));
        await balanceLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await ownership.HeartbeatAsync(group, config.Name, InstanceId, o.ClaimDuration, cancellationToken).ConfigureAwait(false);
            OwnershipSnapshot snapshot = await ownership.ListAsync(group, config.Name, cancellationToken).ConfigureAwait(false);
            DateTimeOffset now = snapshot.StorageNow;
            BalancePlan plan = PartitionBalancer.Plan(config.Partitions, snapshot.Claims, snapshot.LiveMembers, InstanceId, now);
            foreach (PartitionClaim claim in snapshot.Claims)
            {
                var key = (group, new TopicPartition(config.Name, claim.Partition));
                if (!claim.IsLive(now) || claim.Owner != InstanceId)
                {
                    _held.TryRemove(key, out _);
                    continue;
                }

                SemaphoreSlim partitionLock = PartitionLock(key);
                if (!await partitionLock.WaitAsync(0, cancellationToken).ConfigureAwait(false))
                {
                    continue; // a drain is running: its keeper renews the claim
                }

                try
                {
                    // Our own record of the claim is at least as new as the listing (a keeper may have renewed since).
                    PartitionClaim current = _held.TryGetValue(key, out HeldClaim? held) ? held.Claim : claim;
                    if (plan.Release.Contains(claim.Partition))
                    {
                        _held.TryRemove(key, out _);
                        if (!await ownership.ReleaseAsync(group, config.Name, current, cancellationToken).ConfigureAwait(false) && current.Version != claim.Version)
                        {
                            await ownership.ReleaseAsync(group, config.Name, claim, cancellationToken).ConfigureAwait(false);
                        }

                        LogReleased(logger, group, config.Name, claim.Partition);
                    }
                    else
                    {
                        HeldClaim? renewed = await TryClaimAsync(group, config.Name, claim.Partition, current, cancellationToken).ConfigureAwait(false);
                        if (renewed is null && current.Version != claim.Version)
                        {
                            // Our record was behind the listing (a keeper's renewal landed while it was being stopped).
                            renewed = await TryClaimAsync(group, config.Name, claim.Partition, claim, cancellationToken).ConfigureAwait(false);
                        }

                        if (renewed is null)
                        {
                            _held.TryRemove(key, out _);
                        }
                        else
                        {
                            _held[key] = renewed;
                        }
                    }
                }
                finally
                {
                    partitionLock.Release();
                }
            }

            foreach (int partition in plan.Claim)
            {
                PartitionClaim? current = snapshot.Claims.FirstOrDefault(c => c.Partition == partition);
                if (await TryClaimAsync(group, config.Name, partition, current, cancellationToken).ConfigureAwait(false) is { } claimed)
                {
                    LogClaimed(logger, group, config.Name, partition, InstanceId);
                    _held[(group, new TopicPartition(config.Name, partition))] = claimed;
                }
            }

            return [.. _held.Keys.Where(k => k.Group == group && k.Partition.Topic == config.Name).Select(k => k.Partition.Partition).Order()];
        }
        finally
        {
            balanceLock.Release();
        }
    }

    private async Task<HeldClaim?> TryClaimAsync(string group, string topic, int partition, PartitionClaim? current, CancellationToken cancellationToken)
    {
        long sentAt = time.GetTimestamp();
        PartitionClaim? claim = await ownership.TryClaimAsync(group, topic, partition, InstanceId, current, options.Value.ClaimDuration, cancellationToken).ConfigureAwait(false);
        return claim is null ? null : HeldClaim.From(claim, sentAt, time);
    }

    private SemaphoreSlim PartitionLock((string Group, TopicPartition Partition) key) => _partitionLocks.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));

    private async Task<(int Handled, int DeadLettered)> DrainHeldAsync(ConsumerRegistration registration, TopicPartition tp, long deadline, CancellationToken cancellationToken)
    {
        var key = (registration.Group, tp);
        SemaphoreSlim partitionLock = PartitionLock(key);
        await partitionLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_held.TryGetValue(key, out HeldClaim? held))
            {
                return (0, 0);
            }

            var keeper = new ClaimKeeper(ownership, registration.Group, tp.Topic, InstanceId, held, time, logger, changed =>
            {
                if (changed is null)
                {
                    _held.TryRemove(key, out _);
                }
                else
                {
                    _held[key] = changed;
                }
            });
            await using (keeper.ConfigureAwait(false))
            {
                // The claim is checked (and renewed if it is running out) before the first batch, not after it.
                if (!await keeper.StartAsync(cancellationToken).ConfigureAwait(false))
                {
                    _held.TryRemove(key, out _);
                    return (0, 0);
                }

                return await DrainAsync(registration, tp, keeper, deadline, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            partitionLock.Release();
        }
    }

    /// <summary>Gives up this instance's claims and membership (on shutdown), so others take over at once.</summary>
    public async Task LeaveAsync(ConsumerRegistration registration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registration);
        OwnershipSnapshot snapshot = await ownership.ListAsync(registration.Group, registration.Topic, cancellationToken).ConfigureAwait(false);
        foreach (PartitionClaim claim in snapshot.Claims.Where(c => c.Owner == InstanceId))
        {
            var key = (registration.Group, new TopicPartition(registration.Topic, claim.Partition));
            PartitionClaim current = _held.TryRemove(key, out HeldClaim? held) ? held.Claim : claim;
            await ownership.ReleaseAsync(registration.Group, registration.Topic, current, cancellationToken).ConfigureAwait(false);
        }

        await ownership.LeaveAsync(registration.Group, registration.Topic, InstanceId, cancellationToken).ConfigureAwait(false);
    }

    private async Task<(int Handled, int DeadLettered)> DrainAsync(ConsumerRegistration registration, TopicPartition tp, ClaimKeeper keeper, long deadline, CancellationToken cancellationToken)
    {
        ConsumerOptions o = options.Value;
        string group = registration.Group;
        using var owned = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, keeper.Lost);
        CancellationToken token = owned.Token;
        int handled = 0, deadLettered = 0;
        Task<FetchResult>? ahead = null;
        try
        {
            Checkpoint? checkpoint = await checkpoints.GetAsync(group, tp, token).ConfigureAwait(false);
            long offset = checkpoint?.Offset ?? await StartOffsetAsync(registration, tp, token).ConfigureAwait(false);
            if (checkpoint is null && keeper.IsValid)
            {
                // Pin the start so that "latest" means the end as of joining, not as of some later run.
                checkpoint = await checkpoints.TryCommitAsync(group, tp, offset, null, null, cancellationToken).ConfigureAwait(false)
                    ?? await checkpoints.GetAsync(group, tp, cancellationToken).ConfigureAwait(false);
                offset = checkpoint?.Offset ?? offset;
            }

            while (time.GetTimestamp() < deadline && !token.IsCancellationRequested)
            {
                FetchResult fetch;
                Task<FetchResult> taking = ahead ?? reader.FetchAsync(tp.Topic, tp.Partition, offset, o.FetchMaxBytes, o.FetchMaxRecords, token);
                ahead = null;
                try
                {
                    fetch = await taking.ConfigureAwait(false);
                }
                catch (LogException ex) when (ex.Kind == LogErrorKind.OffsetOutOfRange)
                {
                    // Retention removed what we had not read yet: start again where the policy says.
                    offset = await StartOffsetAsync(registration, tp, token).ConfigureAwait(false);
                    LogOffsetReset(logger, group, tp.Topic, tp.Partition, offset);
                    continue;
                }
                catch (Exception ex) when (handled + deadLettered > 0 && StorageErrors.IsTransient(ex, token))
                {
                    // This run committed work already: end it with that; the next run reads on from the commit.
                    LogReadFailed(logger, ex, group, tp.Topic, tp.Partition, offset);
                    break;
                }

                LogFetched(logger, group, tp.Topic, tp.Partition, offset, fetch.Records.Count, fetch.LogEndOffset);
                if (fetch.Records.Count == 0)
                {
                    metrics.Report(group, tp, 0, 0, fetch.LogEndOffset - offset);
                    break;
                }

                ahead = fetch.NextOffset < fetch.LogEndOffset ? reader.FetchAsync(tp.Topic, tp.Partition, fetch.NextOffset, o.FetchMaxBytes, o.FetchMaxRecords, token) : null;
                HandleOutcome outcome = await HandleAsync(registration, tp, fetch.Records, token).ConfigureAwait(false);
                if (outcome.Status == HandleStatus.Paused)
                {
                    // The sink is overloaded: leave the offset where it is; the next run tries again.
                    LogRetryLater(logger, group, tp.Topic, tp.Partition, offset, outcome.PauseReason ?? string.Empty);
                    break;
                }

                if (!keeper.IsValid)
                {
                    // The claim may be another instance's by now: what was handled is redelivered there, never committed here.
                    LogClaimLost(logger, group, tp.Topic, tp.Partition);
                    break;
                }

                Checkpoint? committed = await checkpoints.TryCommitAsync(group, tp, fetch.NextOffset, checkpoint, null, cancellationToken).ConfigureAwait(false);
                handled += outcome.Handled;
                deadLettered += outcome.DeadLettered;
                metrics.Report(group, tp, outcome.Handled, outcome.DeadLettered, fetch.LogEndOffset - fetch.NextOffset);
                if (committed is null)
                {
                    // The offset was reset under us: continue from the new one.
                    checkpoint = await checkpoints.GetAsync(group, tp, token).ConfigureAwait(false);
                    offset = checkpoint?.Offset ?? fetch.NextOffset;
                    await ObserveAsync(ahead).ConfigureAwait(false);
                    ahead = null;
                    LogOffsetReset(logger, group, tp.Topic, tp.Partition, offset);
                    continue;
                }

                checkpoint = committed;
                offset = fetch.NextOffset;
            }
        }
        catch (OperationCanceledException) when (keeper.Lost.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            LogClaimLost(logger, group, tp.Topic, tp.Partition);
        }
        finally
        {
            await ObserveAsync(ahead).ConfigureAwait(false);
        }

        return (handled, deadLettered);
    }

    /// <summary>Waits for a read ahead that nobody needs any more, so that its failure is seen (and logged), never lost or thrown.</summary>
    private async Task ObserveAsync(Task<FetchResult>? ahead)
    {
        if (ahead is null)
        {
            return;
        }

        try
        {
            await ahead.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogReadAheadDropped(logger, ex);
        }
    }

    private async Task<HandleOutcome> HandleAsync(ConsumerRegistration registration, TopicPartition tp, IReadOnlyList<LogRecord> records, CancellationToken cancellationToken)
    {
        ConsumerOptions o = options.Value;
        IReadOnlyList<LogRecord> pending = records;
        var dead = new List<(LogRecord, string)>();
        for (int attempt = 1; pending.Count > 0; attempt++)
        {
            IReadOnlyList<RecordFailure> failures;
            try
            {
                failures = await registration.Handler.HandleAsync(new ConsumerBatch(registration.Group, tp, pending), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                failures = [.. pending.Select(r => new RecordFailure(r.Offset, ex.Message, Retriable: true))];
            }

            var byOffset = new Dictionary<long, RecordFailure>();
            foreach (RecordFailure f in failures)
            {
                byOffset.TryAdd(f.Offset, f);
            }

            var retry = new List<LogRecord>();
            foreach (LogRecord record in pending)
            {
                if (!byOffset.TryGetValue(record.Offset, out RecordFailure? failure))
                {
                    continue;
                }

                if (failure.Retriable && attempt < o.HandlerAttempts)
                {
                    retry.Add(record);
                }
                else if (failure.Retriable && !registration.DeadLetterRetriable)
                {
                    return new HandleOutcome(HandleStatus.Paused, 0, 0, failure.Error);
                }
                else
                {
                    dead.Add((record, failure.Error));
                    LogDeadLettered(logger, registration.Group, tp.Topic, tp.Partition, record.Offset, failure.Error);
                }
            }

            pending = retry;
            if (pending.Count > 0)
            {
                await Task.Delay(o.RetryBackoff * (1 << Math.Min(attempt - 1, 6)), time, cancellationToken).ConfigureAwait(false);
            }
        }

        await deadLetters.WriteAsync(registration.Group, tp, dead, cancellationToken).ConfigureAwait(false);
        return new HandleOutcome(HandleStatus.Done, records.Count - dead.Count, dead.Count);
    }

    private async Task<long> StartOffsetAsync(ConsumerRegistration registration, TopicPartition tp, CancellationToken cancellationToken)
    {
        PartitionOffsets offsets = await reader.GetOffsetsAsync(tp.Topic, tp.Partition, cancellationToken).ConfigureAwait(false);
        return registration.Reset == OffsetReset.Latest ? offsets.Latest : offsets.Earliest;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group {Group} pauses {Topic}/{Partition} at offset {Offset}, to retry later: {Error}")]
    private static partial void LogRetryLater(ILogger logger, string group, string topic, int partition, long offset, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Group {Group} read {Count} records of {Topic}/{Partition} from offset {Offset} (end {End})")]
    private static partial void LogFetched(ILogger logger, string group, string topic, int partition, long offset, int count, long end);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {Group} claimed {Topic}/{Partition} on {Instance}")]
    private static partial void LogClaimed(ILogger logger, string group, string topic, int partition, string instance);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {Group} released {Topic}/{Partition} to rebalance")]
    private static partial void LogReleased(ILogger logger, string group, string topic, int partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group {Group} could not read {Topic}/{Partition} at offset {Offset}; the next run goes on from its commit")]
    private static partial void LogReadFailed(ILogger logger, Exception exception, string group, string topic, int partition, long offset);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A read ahead nobody needs any more failed")]
    private static partial void LogReadAheadDropped(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group {Group} lost its claim on {Topic}/{Partition}; stopping without commit")]
    private static partial void LogClaimLost(ILogger logger, string group, string topic, int partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group {Group} on {Topic}/{Partition} continues from offset {Offset} (reset)")]
    private static partial void LogOffsetReset(ILogger logger, string group, string topic, int partition, long offset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group {Group} dead-lettered {Topic}/{Partition} offset {Offset}: {Error}")]
    private static partial void LogDeadLettered(ILogger logger, string group, string topic, int partition, long offset, string error);
}
