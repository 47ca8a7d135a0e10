using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Core.Options;
using Platform.Core.Storage;

namespace Platform.Core.Log.Topics;

/// <summary>
/// Removes the data of deleted topics once their grace period is over: every segment, the offset and time index rows,
/// the keyed view and the groups' committed offsets, and last the topic's row, after which the name can be used again.
/// A run cut short leaves the row in place, so the next run finishes the job.
/// </summary>
public sealed partial class TopicDeleter(
    TopicManager topics, ISegmentStore segments, IOffsetIndex index, IOptions<LogOptions> options, TimeProvider time, ILogger<TopicDeleter> logger,
    IKeyedViewStore? keyedViews = null, ICheckpointStore? checkpoints = null)
{
    /// <summary>Removes every deleted topic whose grace is over; returns their names.</summary>
    public Task<IReadOnlyList<string>> SweepAsync(CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        return SweepAsync(options.Value.TopicDeleteGrace, cancellationToken);
    }

    /// <summary>Removes every topic deleted at least <paramref name="grace"/> ago (tests choose a short one).</summary>
    internal async Task<IReadOnlyList<string>> SweepAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        long dueBefore = time.GetUtcNow().ToUnixTimeMilliseconds() - (long)grace.TotalMilliseconds;
        var removed = new List<string>();
        foreach (TopicConfig topic in await topics.ListDeletedAsync(cancellationToken).ConfigureAwait(false))
        {
            if (topic.DeletedAt > dueBefore)
            {
                continue;
            }

            try
            {
                await RemoveDataAsync(topic, cancellationToken).ConfigureAwait(false);
                if (await topics.ForgetAsync(topic, cancellationToken).ConfigureAwait(false))
                {
                    removed.Add(topic.Name);
                    LogRemoved(logger, topic.Name, topic.Partitions);
                }
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                LogFailed(logger, e, topic.Name);
            }
        }

        return removed;
    }

    private async Task RemoveDataAsync(TopicConfig topic, CancellationToken cancellationToken)
    {
        for (int p = 0; p < topic.Partitions; p++)
        {
            var partition = new TopicPartition(topic.Name, p);
            foreach (long baseOffset in await segments.ListSegmentsAsync(partition, cancellationToken).ConfigureAwait(false))
            {
                await segments.DeleteSegmentAsync(partition, baseOffset, cancellationToken).ConfigureAwait(false);
            }

            await index.ClearAsync(partition, cancellationToken).ConfigureAwait(false);
            if (keyedViews is not null)
            {
                await keyedViews.ClearAsync(partition, cancellationToken).ConfigureAwait(false);
            }
        }

        if (checkpoints is not null)
        {
            await foreach (GroupOffset offset in checkpoints.ListAsync(topic.Name, cancellationToken).ConfigureAwait(false))
            {
                await checkpoints.DeleteAsync(offset.Group, offset.Partition, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed deleted topic {Topic}: the data of its {Partitions} partitions, its index, keyed view and group offsets")]
    private static partial void LogRemoved(ILogger logger, string topic, int partitions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removing deleted topic {Topic} failed; the next run tries again")]
    private static partial void LogFailed(ILogger logger, Exception exception, string topic);
}
