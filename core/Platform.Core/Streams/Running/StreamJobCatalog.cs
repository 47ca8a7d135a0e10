using System.Collections.Concurrent;
using Platform.Core.Consumers;
using Platform.Core.Log;
using Platform.Core.Log.Reading;
using Platform.Core.Log.Topics;
using Platform.Core.Storage;
using Platform.Core.Streams.Definition;
using Platform.Core.Streams.Engine;

namespace Platform.Core.Streams.Running;

/// <summary>A job as the catalog lists it.</summary>
/// <param name="Job">The job.</param>
/// <param name="Definition">Its uploaded definition, or null for a job written in C#.</param>
/// <param name="Paused">True while paused.</param>
public sealed record CatalogJob(StreamJob Job, string? Definition, bool Paused);

/// <summary>Where a job stands on one input partition.</summary>
/// <param name="Topic">The input topic.</param>
/// <param name="Partition">The partition.</param>
/// <param name="Next">The next offset it processes (null before it started).</param>
/// <param name="LogEndOffset">The partition's end.</param>
/// <param name="Lag">Records not yet processed.</param>
/// <param name="Watermark">The largest event time seen (Unix ms), or null.</param>
/// <param name="Late">Late records counted.</param>
/// <param name="Processed">Input records processed so far.</param>
public sealed record TaskProgress(string Topic, int Partition, long? Next, long LogEndOffset, long Lag, long? Watermark, long Late, long Processed);

/// <summary>
/// The jobs this platform runs: uploaded ones (checked when stored: a job that cannot run is refused with the reason)
/// and those written in C# (<see cref="IStreamJob"/> in DI). Pause, resume, reset, delete and status.
/// </summary>
public sealed class StreamJobCatalog(IStreamStore store, TopicManager topics, LogReader reader, IEnumerable<IStreamJob> codeJobs, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, (long UpdatedAt, string Epoch, StreamJob Job)> _parsed = new(StringComparer.Ordinal);
    // A job in C# keeps its state across deployments while its windows keep their fields; changing them starts a new
    // epoch (fresh state, from the job's start), since stored windows are read back field by field.
    private readonly Lazy<IReadOnlyDictionary<string, StreamJob>> _code = new(() => codeJobs.Select(j => j.Build()).Select(j => j.InEpoch(CodeEpoch(j))).ToDictionary(j => j.Name, StringComparer.Ordinal));

    private static string CodeEpoch(StreamJob job)
    {
        string shape = string.Join(',', job.WindowAggregations.Select(a => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{a.Name}:{a.Kind}:{a.Quantile}")));
        return shape.Length == 0 ? "code" : "code-" + Storage.StorageNames.HashedKey(shape)[..8];
    }

    /// <summary>The jobs written in C# (no storage read).</summary>
    internal IEnumerable<StreamJob> CodeJobs => _code.Value.Values;

    /// <summary>Every job, uploaded and in C#.</summary>
    public async Task<IReadOnlyList<CatalogJob>> ListAsync(CancellationToken cancellationToken)
    {
        var all = new List<CatalogJob>(_code.Value.Values.Select(j => new CatalogJob(j, null, false)));
        foreach (StoredJob stored in await store.ListJobsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_code.Value.ContainsKey(stored.Name)) continue;
            all.Add(new CatalogJob(Parsed(stored), stored.Definition, stored.Paused));
        }

        return [.. all.OrderBy(j => j.Job.Name, StringComparer.Ordinal)];
    }

    /// <summary>One job.</summary>
    /// <exception cref="StreamJobNotFoundException">No such job.</exception>
    public async Task<CatalogJob> GetAsync(string name, CancellationToken cancellationToken)
    {
        if (JobName.Validate(name) is not null) throw new StreamJobNotFoundException(name); // no such job can exist
        if (_code.Value.TryGetValue(name, out StreamJob? code)) return new CatalogJob(code, null, false);
        StoredJob stored = await store.GetJobAsync(name, cancellationToken).ConfigureAwait(false) ?? throw new StreamJobNotFoundException(name);
        return new CatalogJob(Parsed(stored), stored.Definition, stored.Paused);
    }

    /// <summary>
    /// Stores a job after checking it can run: it parses, its input topics, output topics and tables exist, tables are
    /// compacted. Its dead-letter topic is created. Storing the same definition again changes nothing; another
    /// definition under a stored name is refused (delete the job, or reset it, first).
    /// </summary>
    /// <returns>The job, and whether it was new.</returns>
    public async Task<(StreamJob Job, bool Created)> PutAsync(string name, string definition, CancellationToken cancellationToken)
    {
        if (_code.Value.ContainsKey(name)) throw new StreamJobConflictException($"Job '{name}' is written in C# and deployed with the app; it cannot be replaced over HTTP.");
        StreamJob job = StreamJobParser.Parse(name, definition);
        var problems = new List<string>();
        foreach (string topic in job.Inputs.Concat(job.Outputs).Distinct(StringComparer.Ordinal))
        {
            if (await topics.FindAsync(topic, cancellationToken).ConfigureAwait(false) is null) problems.Add($"Topic '{topic}' does not exist: create it first.");
        }

        foreach (string table in job.Tables)
        {
            TopicConfig? config = await topics.FindAsync(table, cancellationToken).ConfigureAwait(false);
            if (config is null) problems.Add($"Table '{table}' does not exist: it is a compacted topic whose keyed view the join reads.");
            else if (!config.IsCompacted) problems.Add($"Table '{table}' is not a compacted topic (cleanup policy compact): a join reads a compacted topic's keyed view.");
        }

        if (problems.Count > 0) throw new StreamJobException(problems);
        await topics.EnsureAsync(StreamContext.DeadLetterTopicConfig(name), cancellationToken).ConfigureAwait(false);
        var stored = new StoredJob(name, definition, false, time.GetUtcNow().ToUnixTimeMilliseconds(), NewEpoch());
        if (!await store.AddJobAsync(stored, cancellationToken).ConfigureAwait(false))
        {
            StoredJob existing = await store.GetJobAsync(name, cancellationToken).ConfigureAwait(false) ?? throw new StreamJobConflictException($"Job '{name}' is being changed; try again.");
            if (existing.Definition == definition) return (Parsed(existing), false);
            throw new StreamJobConflictException($"Job '{name}' exists with another definition: delete it first (its state and results go with it), or give the new one another name.");
        }

        return (Parsed(stored), true);
    }

    /// <summary>Pauses or resumes an uploaded job.</summary>
    public async Task SetPausedAsync(string name, bool paused, CancellationToken cancellationToken)
    {
        if (_code.Value.ContainsKey(name)) throw new StreamJobConflictException($"Job '{name}' is written in C#: it runs while the app runs.");
        StoredJob stored = await store.GetJobAsync(name, cancellationToken).ConfigureAwait(false) ?? throw new StreamJobNotFoundException(name);
        await store.PutJobAsync(stored with { Paused = paused, UpdatedAt = time.GetUtcNow().ToUnixTimeMilliseconds() }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes an uploaded job with its state and results (its output topics stay). A task still running finds its
    /// epoch gone: whatever it writes lies under that epoch, which no later job of the name reads.
    /// </summary>
    public async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        if (_code.Value.ContainsKey(name)) throw new StreamJobConflictException($"Job '{name}' is written in C#: remove it from the app.");
        StoredJob stored = await store.GetJobAsync(name, cancellationToken).ConfigureAwait(false) ?? throw new StreamJobNotFoundException(name);
        await store.DeleteJobAsync(name, cancellationToken).ConfigureAwait(false);
        _parsed.TryRemove(name, out _);
        StreamJob job = Parsed(stored);
        await store.ClearAsync(job.StateId, await InputsAsync(job, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts a job over from a position: its windows and results are cleared and every input partition starts at
    /// earliest, latest or the first record at or after a time. A running task notices at its next commit and stops.
    /// Records it writes to topics are written again from there (as with Kafka Streams' reset tool).
    /// </summary>
    public async Task ResetAsync(string name, ResetTarget target, long timestamp, CancellationToken cancellationToken)
    {
        if (_code.Value.ContainsKey(name)) throw new StreamJobConflictException($"Job '{name}' is written in C#: it cannot be reset over HTTP.");
        StoredJob stored = await store.GetJobAsync(name, cancellationToken).ConfigureAwait(false) ?? throw new StreamJobNotFoundException(name);
        StreamJob old = Parsed(stored);
        StreamJob job = old.InEpoch(NewEpoch());
        IReadOnlyList<TopicPartition> inputs = await InputsAsync(job, cancellationToken).ConfigureAwait(false);

        // The new epoch's positions first, then the job row that names the epoch: no task starts it anywhere else.
        foreach (TopicPartition input in inputs)
        {
            PartitionOffsets ends = await reader.GetOffsetsAsync(input.Topic, input.Partition, cancellationToken).ConfigureAwait(false);
            long next = target switch
            {
                ResetTarget.Latest => ends.Latest,
                ResetTarget.Timestamp => await reader.FindOffsetByTimeAsync(input.Topic, input.Partition, timestamp, cancellationToken).ConfigureAwait(false) ?? ends.Latest,
                _ => ends.Earliest,
            };
            await store.CommitAsync(job.StateId, input, [], [], new TaskPosition(next, long.MinValue, null, 0), null, cancellationToken).ConfigureAwait(false);
        }

        await store.PutJobAsync(stored with { Epoch = job.Epoch, UpdatedAt = time.GetUtcNow().ToUnixTimeMilliseconds() }, cancellationToken).ConfigureAwait(false);
        await store.ClearAsync(old.StateId, inputs, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Where the job stands on each input partition.</summary>
    public async Task<IReadOnlyList<TaskProgress>> StatusAsync(StreamJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var all = new List<TaskProgress>();
        foreach (TopicPartition input in await InputsAsync(job, cancellationToken).ConfigureAwait(false))
        {
            PartitionOffsets ends = await reader.GetOffsetsAsync(input.Topic, input.Partition, cancellationToken).ConfigureAwait(false);
            (TaskPosition? position, _) = await store.GetPositionAsync(job.StateId, input, cancellationToken).ConfigureAwait(false);
            long lag = ends.LagFrom(position?.Next ?? (job.Start == OffsetReset.Latest ? ends.Latest : ends.Earliest));
            all.Add(new TaskProgress(input.Topic, input.Partition, position?.Next, ends.Latest, lag,
                position?.Watermark is { } w && w != long.MinValue ? w : null, position?.Late ?? 0, position?.Processed ?? 0));
        }

        return all;
    }

    /// <summary>Every input partition of a job (of the topics that exist).</summary>
    public async Task<IReadOnlyList<TopicPartition>> InputsAsync(StreamJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var all = new List<TopicPartition>();
        foreach (string topic in job.Inputs)
        {
            if (await topics.FindAsync(topic, cancellationToken).ConfigureAwait(false) is { } config)
            {
                all.AddRange(Enumerable.Range(0, config.Partitions).Select(p => new TopicPartition(topic, p)));
            }
        }

        return all;
    }

    /// <summary>A stored job ready to run in its epoch; one that no longer passes the checks (after an upgrade) is listed as invalid, never run.</summary>
    private StreamJob Parsed(StoredJob stored)
    {
        if (_parsed.TryGetValue(stored.Name, out var cached) && cached.UpdatedAt == stored.UpdatedAt && cached.Epoch == stored.Epoch) return cached.Job;
        StreamJob job;
        try
        {
            job = StreamJobParser.Parse(stored.Name, stored.Definition).InEpoch(stored.Epoch);
        }
        catch (StreamJobException e)
        {
            job = StreamJob.Invalid(stored.Name, stored.Epoch, e.Message);
        }

        _parsed[stored.Name] = (stored.UpdatedAt, stored.Epoch, job);
        return job;
    }

    private static string NewEpoch() => Guid.NewGuid().ToString("N")[..12];
}
