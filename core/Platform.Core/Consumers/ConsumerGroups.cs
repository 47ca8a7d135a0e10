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

/// <summary>A group's position on one topic: how many partitions it committed on and its total lag there.</summary>
public sealed record GroupTopicLag(string Group, string Topic, int PartitionsCommitted, long Lag);

/// <summary>Lag and offset resets of consumer groups (Kafka's kafka-consumer-groups).</summary>
public sealed class ConsumerGroups(TopicManager topics, LogReader reader, Storage.ICheckpointStore checkpoints)
{
    /// <summary>
    /// Every group with committed offsets, per topic, with its total lag there (Kafka's <c>--list</c> with
    /// <c>--describe</c>'s totals); <paramref name="include"/> says which (group, topic) pairs the caller may see.
    /// Offsets on topics that no longer exist are left out.
    /// </summary>
    public async Task<IReadOnlyList<GroupTopicLag>> ListAsync(string? topic, Func<string, string, bool> include, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(include);
        var committed = new Dictionary<(string Group, string Topic), List<Storage.GroupOffset>>();
        await foreach (Storage.GroupOffset offset in checkpoints.ListAsync(topic, cancellationToken).ConfigureAwait(false))
        {
            if (!include(offset.Group, offset.Partition.Topic)) continue;
            if (!committed.TryGetValue((offset.Group, offset.Partition.Topic), out var list)) committed[(offset.Group, offset.Partition.Topic)] = list = [];
            list.Add(offset);
        }

        var ends = new Dictionary<TopicPartition, PartitionOffsets>();
        var result = new List<GroupTopicLag>();
        foreach (((string group, string name), List<Storage.GroupOffset> offsets) in committed.OrderBy(c => c.Key.Group, StringComparer.Ordinal).ThenBy(c => c.Key.Topic, StringComparer.Ordinal))
        {
            if (await topics.FindAsync(name, cancellationToken).ConfigureAwait(false) is not { } config) continue;
            long lag = 0;
            for (int p = 0; p < config.Partitions; p++)
            {
                var tp = new TopicPartition(name, p);
                if (!ends.TryGetValue(tp, out PartitionOffsets end)) ends[tp] = end = await reader.GetOffsetsAsync(name, p, cancellationToken).ConfigureAwait(false);
                lag += end.LagFrom(offsets.FirstOrDefault(o => o.Partition.Partition == p)?.Offset);
            }

            result.Add(new GroupTopicLag(group, name, offsets.Count, lag));
        }

        return result;
    }

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
        return new PartitionLag(tp.Partition, committed?.Offset, offsets.Latest, offsets.LagFrom(committed?.Offset));
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

    /// <summary>
    /// Commits a group's next offsets on some partitions of a topic, as a client consuming outside the runtime does
    /// (Kafka's OffsetCommit; the command line's <c>consume --group</c>). Every offset is checked first (a partition of
    /// the topic, inside the log), so a refusal changes nothing. A running job of the same group sees its checkpoint
    /// moved, as after a reset.
    /// </summary>
    public async Task<IReadOnlyList<PartitionLag>> CommitAsync(string group, string topic, IReadOnlyList<(int Partition, long Offset)> offsets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        CheckGroup(group);
        TopicConfig config = await topics.GetAsync(topic, cancellationToken).ConfigureAwait(false);
        if (offsets.Count == 0)
        {
            throw new LogException(LogErrorKind.InvalidRequest, "Nothing to commit: give at least one partition and offset.");
        }

        if (offsets.GroupBy(o => o.Partition).Any(g => g.Count() > 1))
        {
            throw new LogException(LogErrorKind.InvalidRequest, "Each partition may be committed once per request.");
        }

        foreach ((int partition, _) in offsets)
        {
            if (partition < 0 || partition >= config.Partitions)
            {
                throw new LogException(LogErrorKind.InvalidRequest, $"Topic '{topic}' has partitions 0 to {config.Partitions - 1}; there is no partition {partition}.");
            }
        }

        foreach ((int partition, long offset) in offsets)
        {
            PartitionOffsets ends = await reader.GetOffsetsAsync(topic, partition, cancellationToken).ConfigureAwait(false);
            if (offset < ends.Earliest || offset > ends.Latest)
            {
                throw new LogException(LogErrorKind.InvalidRequest, $"Offset {offset} is outside partition {partition} ({ends.Earliest} to {ends.Latest}): a committed offset is the next record to read.");
            }
        }

        foreach ((int partition, long offset) in offsets)
        {
            await checkpoints.SetAsync(group, new TopicPartition(topic, partition), offset, cancellationToken).ConfigureAwait(false);
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
