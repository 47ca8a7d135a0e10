using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Core.Log.Batches;
using Platform.Core.Log.Topics;
using Platform.Core.Options;
using Platform.Core.Storage;

namespace Platform.Core.Log.Retention;

/// <summary>
/// Rolls a partition's active segment once its first record is older than the topic's <c>SegmentMs</c> (Kafka's
/// segment.ms): appends a seal marker at the segment's exact end (the append-position condition makes it lose to any
/// writer's append, and then it waits for the next run) and creates the next segment. Writers that meet the marker
/// roll too; the sealed segment is then retention's and compaction's to take, even on a partition nobody writes to.
/// </summary>
public sealed partial class SegmentAgeRoller(ISegmentStore segments, IOptions<LogOptions> options, TimeProvider time, ILogger<SegmentAgeRoller> logger)
{
    /// <summary>Seals and rolls the partition's active segment when it is due; true when the partition has a new active segment.</summary>
    public async Task<bool> RollIfDueAsync(TopicConfig topic, TopicPartition partition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(topic);
        if (topic.SegmentMs <= 0)
        {
            return false;
        }

        IReadOnlyList<long> segs = await segments.ListSegmentsAsync(partition, cancellationToken).ConfigureAwait(false);
        if (segs.Count == 0 || await segments.GetSegmentAsync(partition, segs[^1], cancellationToken).ConfigureAwait(false) is not { Length: > 0, Generation: 0 } active
            || active.IsSealed)
        {
            return false; // empty (nothing to age), or sealed by size: the next append rolls it
        }

        RecordBatchHeader first = await SegmentScanner.FirstHeaderAsync(segments, partition, active.Ref, cancellationToken).ConfigureAwait(false);
        if (first.AppendTime > time.GetUtcNow().ToUnixTimeMilliseconds() - topic.SegmentMs)
        {
            return false;
        }

        List<BatchLocation> tail = await SegmentScanner.ScanBackwardAsync(segments, partition, active.Ref, active.Length, 1, _ => true, cancellationToken).ConfigureAwait(false);
        RecordBatchHeader last = tail[^1].Header;
        if (!SealMarker.Is(last))
        {
            AppendOutcome outcome = await segments.AppendAsync(partition, active.BaseOffset, SealMarker.Create(last.NextOffset, last.AppendTime), active.Length, active.Limits.HardLimitBytes, cancellationToken).ConfigureAwait(false);
            if (outcome.Status != AppendStatus.Appended)
            {
                return false; // a writer appended meanwhile (or the segment filled up): the next run looks again
            }
        }

        // Sealed by the marker (ours, or one left by a run that died before this step): the next segment starts at its offset.
        bool created = await segments.CreateSegmentAsync(partition, last.NextOffset, options.Value.NewSegmentLimits, cancellationToken).ConfigureAwait(false);
        LogRolled(logger, partition.Topic, partition.Partition, active.BaseOffset, last.NextOffset, created);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rolled {Topic}/{Partition} by age: segment {Sealed} sealed, next segment {Next} (created here: {Created})")]
    private static partial void LogRolled(ILogger logger, string topic, int partition, long @sealed, long next, bool created);
}
