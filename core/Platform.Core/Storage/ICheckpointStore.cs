using Platform.Core.Consumers;
using Platform.Core.Log;

namespace Platform.Core.Storage;

/// <summary>A group's committed offset on one partition.</summary>
public sealed record GroupOffset(string Group, TopicPartition Partition, long Offset);

/// <summary>
/// Committed offsets of consumer groups (the Event Hubs processor's checkpoint store): a table in Azure, a dictionary
/// in memory. A lost race (someone else moved the offset) is an expected outcome, returned as null.
/// </summary>
public interface ICheckpointStore
{
    /// <summary>Every committed offset of every group, or of one topic's partitions when <paramref name="topic"/> is given (a scan: admin use only).</summary>
    IAsyncEnumerable<GroupOffset> ListAsync(string? topic, CancellationToken cancellationToken);

    /// <summary>Removes a group's committed offset on a partition (its topic was deleted); nothing when there is none.</summary>
    Task DeleteAsync(string group, TopicPartition partition, CancellationToken cancellationToken);

    /// <summary>The committed offset (the next offset to read), or null when the group has none.</summary>
    Task<Checkpoint?> GetAsync(string group, TopicPartition partition, CancellationToken cancellationToken);

    /// <summary>
    /// Commits <paramref name="offset"/> if the checkpoint is still <paramref name="expected"/> (null: none yet), together
    /// with <paramref name="results"/> in one transaction. Null when someone else changed it (an offset reset, another owner).
    /// </summary>
    Task<Checkpoint?> TryCommitAsync(string group, TopicPartition partition, long offset, Checkpoint? expected, IReadOnlyList<GroupResult>? results, CancellationToken cancellationToken);

    /// <summary>Sets a group's offset unconditionally (an operator's offset reset).</summary>
    Task SetAsync(string group, TopicPartition partition, long offset, CancellationToken cancellationToken);

    /// <summary>A result row committed with an offset, or null.</summary>
    Task<IReadOnlyDictionary<string, object?>?> GetResultAsync(string group, string key, CancellationToken cancellationToken);
}
