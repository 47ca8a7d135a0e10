using Platform.Core.Log;
using Platform.Core.Log.Reading;
using Platform.Core.Log.Topics;

namespace Platform.Core.Consumers;

/// <summary>A group's position on one partition.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="Committed">The committed offset (next to read), or null when the group never committed.</param>
/// <param name="LogEndOffset">The partition's end.</param>
/// <param name="Lag">Records not yet consumed: end minus committed (or minus earliest when never committed).</param>
public sealed record PartitionLag(int Partition, long? Committed, long LogEndOffset, long Lag);

/// <summary>Where an offset reset moves a group.</summary>
public enum ResetTarget
{
    /// <summary>The earliest kept offset.</summary>
    Earliest,

    /// <summary>The end.</summary>
    Latest,

    /// <summary>A given offset (clamped into the log).</summary>
    Offset,

    /// <summary>The first offset appended at or after a time.</summary>
    Timestamp,
}

/// <summary>Lag and offset resets of consumer groups (Kafka's kafka-consumer-groups).</summary>
public sealed class ConsumerGroups(TopicManager topics, LogReader reader, Storage.ICheckpointStore checkpoints)
{
    /// <summary>Lag per partition of <paramref name="group"/> on <paramref name="topic"/>.</summary>
    public async Task<IReadOnlyList<PartitionLag>> GetLagAsync(string group, string topic, CancellationToken cancellationToken)
    {
        CheckGroup(group);
        TopicConfig config = await topics.GetAsync(topic, cancellationToken).ConfigureAwait(false);
        return await PartitionFanOut.ForEachAsync(config.Partitions, (p, ct) => LagAsync(group, new TopicPartition(topic, p), ct), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lag of <paramref name="group"/> on one partition (two reads: the partition's ends and the committed offset).</summary>
    public async Task<PartitionLag> GetLagAsync(string group, TopicPartition partition, CancellationToken cancellationToken)
    {
        CheckGroup(group);
        return await LagAsync(group, partition, cancellationToken).ConfigureAwait(false);
    }

    private async Task<PartitionLag> LagAsync(string group, TopicPartition tp, CancellationToken cancellationToken)
    {
        PartitionOffsets offsets = await reader.GetOffsetsAsync(tp.Topic, tp.Partition, cancellationToken).ConfigureAwait(false);
        Checkpoint? committed = await checkpoints.GetAsync(group, tp, cancellationToken).ConfigureAwait(false);
        long from = Math.Max(committed?.Offset ?? offsets.Earliest, offsets.Earliest);
        return new PartitionLag(tp.Partition, committed?.Offset, offsets.Latest, Math.Max(0, offsets.Latest - from));
    }

    /// <summary>
    /// Moves the group's committed offsets on every partition of the topic. A running consumer notices on its
    /// next commit (the checkpoint's ETag changed) and continues from the new offset.
    /// </summary>
    public async Task<IReadOnlyList<PartitionLag>> ResetAsync(string group, string topic, ResetTarget target, long value, CancellationToken cancellationToken)
    {
        CheckGroup(group);
        if (target == ResetTarget.Offset && value < 0)
        {
            throw new LogException(LogErrorKind.InvalidRequest, $"Offset {value} is negative; offsets start at 0 (an offset past either end is moved to it, as Kafka's reset does).");
        }

        TopicConfig config = await topics.GetAsync(topic, cancellationToken).ConfigureAwait(false);
        for (int p = 0; p < config.Partitions; p++)
        {
            PartitionOffsets offsets = await reader.GetOffsetsAsync(topic, p, cancellationToken).ConfigureAwait(false);
            long offset = target switch
            {
                ResetTarget.Earliest => offsets.Earliest,
                ResetTarget.Latest => offsets.Latest,
                ResetTarget.Offset => Math.Clamp(value, offsets.Earliest, offsets.Latest),
                _ => await reader.FindOffsetByTimeAsync(topic, p, value, cancellationToken).ConfigureAwait(false) ?? offsets.Latest,
            };
            await checkpoints.SetAsync(group, new TopicPartition(topic, p), offset, cancellationToken).ConfigureAwait(false);
        }

        return await GetLagAsync(group, topic, cancellationToken).ConfigureAwait(false);
    }

    private static void CheckGroup(string group)
    {
        if (GroupName.Validate(group) is { } problem)
        {
            throw new Log.LogException(Log.LogErrorKind.InvalidRequest, problem);
        }
    }
}
