using Microsoft.Extensions.Logging;
using Platform.Core.Log;
using Platform.Core.Log.Reading;
using Platform.Core.Storage;

namespace Platform.Core.Consumers;

/// <summary>
/// Drains one partition this instance holds: from the committed offset (or where a new group starts), fetches with
/// one read ahead, hands each batch to the job and commits it, until the log's end, the run's deadline, or the claim
/// is lost (then the job is cancelled and nothing more is committed). A read ahead that is no longer needed is still
/// awaited, and its failure logged.
/// </summary>
internal sealed partial class PartitionDrain(LogReader reader, ICheckpointStore checkpoints, HandlerInvoker handler, ConsumerMetrics metrics, ConsumerOptions options, TimeProvider time, ILogger logger)
{
    public async Task<(int Handled, int DeadLettered)> DrainAsync(ConsumerRegistration registration, TopicPartition tp, ClaimKeeper keeper, long deadline, CancellationToken cancellationToken)
    {
        ConsumerOptions o = options;
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
                    // Retention removed what we had not read yet: start again where the policy says, committed at once
                    // (so the next run does not jump again), and say how much retention took.
                    long from = offset;
                    PartitionOffsets ends = await reader.GetOffsetsAsync(tp.Topic, tp.Partition, token).ConfigureAwait(false);
                    offset = await StartOffsetAsync(registration, tp, token).ConfigureAwait(false);
                    Checkpoint? reset = await checkpoints.TryCommitAsync(group, tp, offset, checkpoint, null, token).ConfigureAwait(false);
                    if (reset is null)
                    {
                        // Someone else moved it meanwhile (an offset reset, another owner): go on from theirs.
                        checkpoint = await checkpoints.GetAsync(group, tp, token).ConfigureAwait(false);
                        offset = checkpoint?.Offset ?? offset;
                        continue;
                    }

                    checkpoint = reset;
                    if (from < ends.Earliest)
                    {
                        metrics.Skipped(group, tp, ends.Earliest - from);
                        LogRetentionSkipped(logger, group, tp.Topic, tp.Partition, from, offset, ends.Earliest - from);
                    }
                    else
                    {
                        LogOffsetReset(logger, group, tp.Topic, tp.Partition, offset);
                    }

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
                    metrics.Report(group, tp, 0, 0, fetch.LogEndOffset - fetch.NextOffset);
                    if (fetch.NextOffset > offset && keeper.IsValid
                        && await checkpoints.TryCommitAsync(group, tp, fetch.NextOffset, checkpoint, null, cancellationToken).ConfigureAwait(false) is { } passed)
                    {
                        // Offsets compaction emptied: nothing to hand out, but the group moves past them.
                        checkpoint = passed;
                        offset = fetch.NextOffset;
                        continue;
                    }

                    break;
                }

                ahead = fetch.NextOffset < fetch.LogEndOffset ? reader.FetchAsync(tp.Topic, tp.Partition, fetch.NextOffset, o.FetchMaxBytes, o.FetchMaxRecords, token) : null;
                HandleOutcome outcome;
                using (System.Diagnostics.Activity? processing = PlatformTracing.StartProcess(group, tp, fetch.Records[0].Offset, fetch.Records.Count))
                {
                    try
                    {
                        outcome = await handler.HandleAsync(registration, tp, fetch.Records, token).ConfigureAwait(false);
                    }
                    catch (Exception e)
                    {
                        PlatformTracing.Fail(processing, e);
                        throw;
                    }
                }

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

    private async Task<long> StartOffsetAsync(ConsumerRegistration registration, TopicPartition tp, CancellationToken cancellationToken)
    {
        PartitionOffsets offsets = await reader.GetOffsetsAsync(tp.Topic, tp.Partition, cancellationToken).ConfigureAwait(false);
        return registration.Reset == OffsetReset.Latest ? offsets.Latest : offsets.Earliest;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group {Group} pauses {Topic}/{Partition} at offset {Offset}, to retry later: {Error}")]
    private static partial void LogRetryLater(ILogger logger, string group, string topic, int partition, long offset, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Group {Group} read {Count} records of {Topic}/{Partition} from offset {Offset} (end {End})")]
    private static partial void LogFetched(ILogger logger, string group, string topic, int partition, long offset, int count, long end);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group {Group} could not read {Topic}/{Partition} at offset {Offset}; the next run goes on from its commit")]
    private static partial void LogReadFailed(ILogger logger, Exception exception, string group, string topic, int partition, long offset);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A read ahead nobody needs any more failed")]
    private static partial void LogReadAheadDropped(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group {Group} lost its claim on {Topic}/{Partition}; stopping without commit")]
    private static partial void LogClaimLost(ILogger logger, string group, string topic, int partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group {Group} on {Topic}/{Partition}: offset {From} was deleted by retention; continues from {Offset} ({Skipped} records deleted unread)")]
    private static partial void LogRetentionSkipped(ILogger logger, string group, string topic, int partition, long from, long offset, long skipped);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group {Group} on {Topic}/{Partition} continues from offset {Offset} (reset)")]
    private static partial void LogOffsetReset(ILogger logger, string group, string topic, int partition, long offset);
}
