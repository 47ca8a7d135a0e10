using Platform.Core.Log;
using Platform.Core.Streams.Engine;

namespace Platform.Core.Storage;

/// <summary>Where a task stands (the position row of its state).</summary>
/// <param name="Next">The next input offset to process.</param>
/// <param name="Watermark">The largest event time seen (Unix ms), long.MinValue before any.</param>
/// <param name="PendingEnd">The end of a sub-batch whose outputs may be written already, or null.</param>
/// <param name="Late">Late records counted.</param>
/// <param name="Flushes">Sub-batches committed so far: with the offsets, names a sub-batch's outputs uniquely.</param>
/// <param name="Processed">Input records processed so far.</param>
public sealed record TaskPosition(long Next, long Watermark, long? PendingEnd, long Late, long Flushes = 0, long Processed = 0);

/// <summary>A task's stored state: its position and version (null when it never committed), and its open windows.</summary>
public sealed record StoredTask(TaskPosition? Position, string? Version, IReadOnlyList<string> Windows);

/// <summary>A stored job: its name, definition text, whether it is paused, when it was stored, and its epoch.</summary>
/// <param name="Name">The job's name.</param>
/// <param name="Definition">Its definition.</param>
/// <param name="Paused">True while paused.</param>
/// <param name="UpdatedAt">When it was stored (Unix ms).</param>
/// <param name="Epoch">
/// Which life of the job this is: new when it is created or reset. Its state, results and output keys live under it, so a
/// task of an earlier life can never write into a later one.
/// </param>
public sealed record StoredJob(string Name, string Definition, bool Paused, long UpdatedAt, string Epoch);

/// <summary>
/// Stream jobs' definitions, task state and results in tables. State and results are kept under a job's state id
/// (<c>{name}|{epoch}</c>). A task's window changes and position are written in
/// one transaction (same PartitionKey), conditional on the position's version, so a task's state and the input offset
/// it reflects never disagree, and two instances never both commit.
/// </summary>
public interface IStreamStore
{
    /// <summary>The most window changes one commit takes (a table transaction holds 100 operations, one is the position).</summary>
    public const int MaxChangesPerCommit = 99;

    /// <summary>Stores a new job; false when one of that name exists (nothing written).</summary>
    Task<bool> AddJobAsync(StoredJob job, CancellationToken cancellationToken);

    /// <summary>Replaces a stored job (pause, resume, a new epoch).</summary>
    Task PutJobAsync(StoredJob job, CancellationToken cancellationToken);

    /// <summary>A job, or null.</summary>
    Task<StoredJob?> GetJobAsync(string name, CancellationToken cancellationToken);

    /// <summary>Every stored job, by name.</summary>
    Task<IReadOnlyList<StoredJob>> ListJobsAsync(CancellationToken cancellationToken);

    /// <summary>Removes a job's definition; false when there was none.</summary>
    Task<bool> DeleteJobAsync(string name, CancellationToken cancellationToken);

    /// <summary>A task's position and open windows.</summary>
    Task<StoredTask> LoadAsync(string job, TopicPartition input, CancellationToken cancellationToken);

    /// <summary>The position alone (cheap: for describing a job and checking a cached task).</summary>
    Task<(TaskPosition? Position, string? Version)> GetPositionAsync(string job, TopicPartition input, CancellationToken cancellationToken);

    /// <summary>
    /// Writes window changes and the new position together if the position is still at <paramref name="expected"/>
    /// (null: none yet); the new version, or null when someone else moved it (nothing written).
    /// </summary>
    Task<string?> CommitAsync(string job, TopicPartition input, IReadOnlyList<(string Row, string State)> upserts, IReadOnlyList<string> deletes, TaskPosition position, string? expected, CancellationToken cancellationToken);

    /// <summary>Keeps window results (upserts: a replay writes the same values again).</summary>
    Task PutResultsAsync(string job, IReadOnlyList<WindowResult> results, CancellationToken cancellationToken);

    /// <summary>Results of one key (or all keys), windows starting in [from, until), by key then start, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<WindowResult>> QueryResultsAsync(string job, string? key, long from, long until, int limit, CancellationToken cancellationToken);

    /// <summary>Removes a job's task state on the given inputs and all its results (a reset or a delete).</summary>
    Task ClearAsync(string job, IReadOnlyList<TopicPartition> inputs, CancellationToken cancellationToken);
}
