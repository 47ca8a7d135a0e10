using Microsoft.Extensions.Logging;
using Platform.Core.Log.Topics;
using Platform.Core.Storage;

namespace Platform.Core.Log.Retention;

/// <summary>What retention did to one partition.</summary>
public sealed record RetentionResult(TopicPartition Partition, int SegmentsDeleted, long BytesDeleted, long EarliestOffset);

/// <summary>
/// Enforces each topic's <c>RetentionMs</c> and <c>RetentionBytes</c> (Kafka's <c>retention.ms</c>,
/// <c>retention.bytes</c>) by deleting whole sealed segments, oldest first, never the active (last) one: a segment
/// goes when everything in it is older than the retention time (its newest batch's append time), or while the
/// partition without it is still at least the retention size. Their index rows follow. The partition's earliest
/// offset is then the first kept segment's base: readers below it are told so (416 over HTTP), and consumer groups
/// start again where their reset policy says. Topics whose cleanup policy is compact only are left alone.
/// </summary>
public sealed partial class RetentionEnforcer(TopicManager topics, ISegmentStore segments, IOffsetIndex index, TimeProvider time, ILogger<RetentionEnforcer> logger, SegmentAgeRoller? roller = null)
{
    /// <summary>Enforces retention on every partition of every topic; returns what it deleted.</summary>
    public async Task<IReadOnlyList<RetentionResult>> EnforceAsync(CancellationToken cancellationToken)
    {
        var results = new List<RetentionResult>();
        foreach (TopicConfig topic in await topics.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            bool retained = topic.CleanupPolicy != CleanupPolicy.Compact && (topic.RetentionMs >= 0 || topic.RetentionBytes >= 0);
            if (!retained && (roller is null || topic.SegmentMs <= 0))
            {
                continue;
            }

            for (int p = 0; p < topic.Partitions; p++)
            {
                try
                {
                    // Age first: a segment sealed now may already be past retention (a quiet partition's only records).
                    if (roller is not null)
                    {
                        await roller.RollIfDueAsync(topic, new TopicPartition(topic.Name, p), cancellationToken).ConfigureAwait(false);
                    }

                    if (!retained)
                    {
                        continue;
                    }

                    RetentionResult result = await EnforceAsync(topic, new TopicPartition(topic.Name, p), cancellationToken).ConfigureAwait(false);
                    if (result.SegmentsDeleted > 0)
                    {
                        results.Add(result);
                        LogDeleted(logger, topic.Name, p, result.SegmentsDeleted, result.BytesDeleted, result.EarliestOffset);
                    }
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    // One partition's trouble does not stop the others; it is tried again on the next run.
                    LogFailed(logger, e, topic.Name, p);
                }
            }
        }

        return results;
    }

    /// <summary>Enforces retention on one partition.</summary>
    public async Task<RetentionResult> EnforceAsync(TopicConfig topic, TopicPartition partition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(topic);
        IReadOnlyList<long> segs = await segments.ListSegmentsAsync(partition, cancellationToken).ConfigureAwait(false);
        if (segs.Count < 2)
        {
            return new RetentionResult(partition, 0, 0, segs.Count == 0 ? 0 : segs[0]);
        }

        var lengths = new long[segs.Count];
        var infos = new SegmentInfo?[segs.Count];
        for (int i = 0; i < segs.Count; i++)
        {
            infos[i] = await segments.GetSegmentAsync(partition, segs[i], cancellationToken).ConfigureAwait(false);
            lengths[i] = infos[i]?.Length ?? 0;
        }

        long total = lengths.Sum();
        long cutoff = time.GetUtcNow().ToUnixTimeMilliseconds() - topic.RetentionMs;
        int deleted = 0;
        long bytes = 0;
        try
        {
            for (int i = 0; i < segs.Count - 1; i++)
            {
                bool overSize = topic.RetentionBytes >= 0 && total - lengths[i] >= topic.RetentionBytes;
                bool overTime = topic.RetentionMs >= 0 && await NewestAppendTimeAsync(partition, infos[i], cancellationToken).ConfigureAwait(false) is { } newest && newest < cutoff;
                if (!overSize && !overTime)
                {
                    break;
                }

                // Oldest first, so the earliest offset only ever moves forward; a reader that listed it retries from there.
                await segments.DeleteSegmentAsync(partition, segs[i], cancellationToken).ConfigureAwait(false);
                total -= lengths[i];
                bytes += lengths[i];
                deleted++;
            }
        }
        finally
        {
            // Whatever happened above: index rows below the earliest kept segment go, also those a late index write or
            // a rebuild put back after an earlier run (the oldest offset-index row tells, in one small read).
            if (deleted > 0 || await index.FindByOffsetAsync(partition, 0, CancellationToken.None).ConfigureAwait(false) is { } oldest && oldest.LastOffset < segs[deleted])
            {
                await index.DeleteBeforeAsync(partition, segs[deleted], CancellationToken.None).ConfigureAwait(false);
            }
        }

        return new RetentionResult(partition, deleted, bytes, segs[deleted]);
    }

    /// <summary>The append time of a sealed segment's last batch (null for an empty one: nothing to age).</summary>
    private async Task<long?> NewestAppendTimeAsync(TopicPartition partition, SegmentInfo? segment, CancellationToken cancellationToken)
    {
        if (segment is not { Length: > 0 } s)
        {
            return null;
        }

        List<BatchLocation> last = await SegmentScanner.ScanBackwardAsync(segments, partition, s.Ref, s.Length, 4 * 1024 * 1024, _ => true, cancellationToken).ConfigureAwait(false);
        return last.Count == 0 ? null : last[^1].Header.AppendTime;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention deleted {Segments} segments ({Bytes} bytes) of {Topic}/{Partition}; earliest offset now {Earliest}")]
    private static partial void LogDeleted(ILogger logger, string topic, int partition, int segments, long bytes, long earliest);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention failed on {Topic}/{Partition}; it is tried again on the next run")]
    private static partial void LogFailed(ILogger logger, Exception exception, string topic, int partition);
}
