using Microsoft.Extensions.Logging;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Platform.Core.Log;
using Platform.Core.Log.Appending;
using Platform.Core.Log.Topics;
using Platform.Core.Storage;
using Platform.Core.Streams.Engine;

namespace Platform.Core.Streams.Running;

/// <summary>
/// One job on one input partition, exactly once. Records are processed in sub-batches; each sub-batch [a, m) ends in one
/// table transaction that writes its window changes and moves the position to m. Its records for topics are written
/// before that with an Idempotency-Key made of a and m, after the position row has said "m is pending": a crash after
/// the write and before the commit replays exactly [a, m) from the state at a, makes the same records, and the log
/// answers them as the duplicates they are. Window results for the results table are upserts of final values, the same
/// on a replay. A sub-batch holds at most <see cref="IStreamStore.MaxChangesPerCommit"/> window changes.
/// </summary>
internal sealed partial class StreamTask(StreamJob job, TopicPartition input, IStreamStore store, LogProducer producer, TopicManager topics, ITableLookup? tables, StreamMetrics? metrics, ILogger logger)
{
    private const int Headroom = 21; // window changes one record can make before its closes (hopping windows: at most 20)

    // One commit's room: 99 changes (the transaction holds 100 operations, one is the position), fewer when windows are large, so that a transaction stays under 4 MiB.
    private readonly int _budget = Math.Clamp(3_500_000 / Math.Max(1, job.EstimatedWindowBytes), Headroom + 9, IStreamStore.MaxChangesPerCommit);

    private TaskState? _state;
    private TaskPosition _committed = new(0, long.MinValue, null, 0);
    private StreamOperator? _pipeline;

    public StreamJob Job => job;

    /// <summary>True while the state is loaded (false after a failure or a short replay: the next run loads it).</summary>
    public bool IsLoaded => _state is not null;

    /// <summary>The end of a sub-batch an interrupted attempt may have written, which a replay must reach; null when none.</summary>
    public long? PendingEnd => _state?.PendingEnd;

    /// <summary>The next input offset, once loaded.</summary>
    public long Next => _state?.Next ?? 0;

    /// <summary>Loads the task's state, unless the cached one is still the stored one (one small read).</summary>
    public async Task EnsureLoadedAsync(Func<CancellationToken, Task<long>> startOffset, CancellationToken cancellationToken)
    {
        (_, string? version) = await store.GetPositionAsync(job.StateId, input, cancellationToken).ConfigureAwait(false);
        if (_state is not null && version is not null && _state.Version == version)
        {
            return;
        }

        StoredTask stored = await store.LoadAsync(job.StateId, input, cancellationToken).ConfigureAwait(false);
        var state = new TaskState();
        if (stored.Position is { } p)
        {
            (state.Next, state.Watermark, state.PendingEnd, state.Late, state.Version) = (p.Next, p.Watermark, p.PendingEnd, p.Late, stored.Version);
            _committed = p;
        }
        else
        {
            state.Next = await startOffset(cancellationToken).ConfigureAwait(false);
            _committed = new TaskPosition(state.Next, long.MinValue, null, 0);
        }

        foreach (string window in stored.Windows)
        {
            state.Restore(WindowState.Load(window, job.WindowAggregations));
        }

        _state = state;
        _pipeline = job.NewPipeline();
    }

    /// <summary>Forgets the cached state (after a failure part-way through a sub-batch): the next run loads it again.</summary>
    public void Drop() => _state = null;

    /// <summary>
    /// Moves the position to <paramref name="next"/> without processing (retention removed what was not processed, or the
    /// input topic was created again and is shorter); a sub-batch pending there is given up. False when it was there.
    /// </summary>
    public async Task<bool> SkipToAsync(long next, CancellationToken cancellationToken)
    {
        TaskState state = _state ?? throw new InvalidOperationException("The task is not loaded.");
        if (next == state.Next && state.PendingEnd is null) return false;
        var position = _committed with { Next = next, PendingEnd = null };
        state.Version = await store.CommitAsync(job.StateId, input, [], [], position, state.Version, cancellationToken).ConfigureAwait(false) ?? throw new StreamTaskLostException();
        (state.Next, state.PendingEnd, _committed) = (next, null, position);
        return true;
    }

    /// <summary>
    /// Processes fetched records (those below the position are done already) and commits; <paramref name="fetchNext"/>
    /// is where the next fetch starts (past offsets compaction emptied). Returns the records processed.
    /// </summary>
    public async Task<int> ProcessAsync(IReadOnlyList<LogRecord> records, long fetchNext, CancellationToken cancellationToken)
    {
        TaskState state = _state ?? throw new InvalidOperationException("The task is not loaded.");
        try
        {
            // Every cut below depends only on the stored state and the records, so a replay cuts the same sub-batches; a
            // pending end (an interrupted attempt's) is where the replayed one ends.
            StreamContext context = NewContext(state, cancellationToken);
            long start = state.Next, lastEnd = state.Next;
            int processed = 0;
            foreach (LogRecord record in records)
            {
                if (record.Offset < start) continue;
                (context, start) = await ResumeAsync(context, start, context.Records > 0 ? lastEnd : start, cancellationToken).ConfigureAwait(false);
                long? cut = state.PendingEnd is { } pending ? (record.Offset >= pending ? pending : null)
                    : state.ChangeCount > _budget - Headroom ? record.Offset : null;
                if (cut is { } end)
                {
                    await FlushAsync(context, start, end, cancellationToken).ConfigureAwait(false);
                    (context, start) = await ResumeAsync(NewContext(state, cancellationToken), end, end, cancellationToken).ConfigureAwait(false);
                }

                await PushAsync(record, context).ConfigureAwait(false);
                context.Records++;
                (lastEnd, processed) = (record.Offset + 1, processed + 1);
            }

            (context, start) = await ResumeAsync(context, start, context.Records > 0 ? lastEnd : start, cancellationToken).ConfigureAwait(false);
            if (state.PendingEnd is { } stillPending && Math.Max(lastEnd, fetchNext) < stillPending)
            {
                // A replay must end where the interrupted attempt did; this fetch stops short of it: load and fetch again.
                LogShortReplay(logger, job.Name, input.Topic, input.Partition, Math.Max(lastEnd, fetchNext), stillPending);
                Drop();
                return processed;
            }

            // The rest, and offsets with no records (compacted away, control batches): the position moves past them.
            long last = state.PendingEnd ?? Math.Max(lastEnd, fetchNext);
            if (last > start || context.Outputs.Count > 0 || context.Results.Count > 0 || state.ChangeCount > 0 || state.PendingEnd is not null)
            {
                await FlushAsync(context, start, last, cancellationToken).ConfigureAwait(false);
            }

            return processed;
        }
        catch
        {
            Drop(); // whatever was applied in memory beyond the last commit is not the stored state
            throw;
        }
    }

    /// <summary>
    /// Closes windows a record left due beyond one commit's room. Each full sub-batch is flushed: the first one with the
    /// records already in it (ending at <paramref name="end"/>, after the record that left them due), the next ones with
    /// no records (ending where they start). Returns the context and start to go on with.
    /// </summary>
    private async Task<(StreamContext Context, long Start)> ResumeAsync(StreamContext context, long start, long end, CancellationToken cancellationToken)
    {
        while (_pipeline is not null && await _pipeline.ResumeAsync(context).ConfigureAwait(false))
        {
            await FlushAsync(context, start, end, cancellationToken).ConfigureAwait(false);
            (context, start) = (NewContext(context.State, cancellationToken), end);
        }

        return (context, start);
    }

    private StreamContext NewContext(TaskState state, CancellationToken cancellationToken) => new(job.Name, state, tables, _budget, cancellationToken);

    private async Task PushAsync(LogRecord record, StreamContext context)
    {
        JToken? value;
        try
        {
            value = record.Value is { } bytes ? StreamJson.Parse(System.Text.Encoding.UTF8.GetString(bytes.Span)) : null;
        }
        catch (JsonException e)
        {
            context.DeadLetter(record, input.Topic, input.Partition, $"not JSON: {e.Message}");
            return;
        }

        string? key = record.Key is { } k ? System.Text.Encoding.UTF8.GetString(k.Span) : null;
        var streamRecord = new StreamRecord(key, value, record.Timestamp) { Topic = input.Topic, Partition = input.Partition, Offset = record.Offset };
        try
        {
            if (_pipeline is not null) await _pipeline.PushAsync(streamRecord, context).ConfigureAwait(false);
        }
        catch (StreamRecordException e)
        {
            context.DeadLetter(record, input.Topic, input.Partition, e.Message);
        }
    }

    private async Task FlushAsync(StreamContext context, long start, long end, CancellationToken cancellationToken)
    {
        TaskState state = context.State;
        if (_pipeline is not null) await _pipeline.EndOfBatchAsync(context).ConfigureAwait(false);
        await RefuseUnfitOutputsAsync(context, cancellationToken).ConfigureAwait(false);
        if (context.Outputs.Count > 0)
        {
            bool replay = _committed.PendingEnd == end;
            if (!replay)
            {
                // Say which sub-batch is being written before writing it: a replay cuts the same one and makes the same records.
                TaskPosition pending = _committed with { PendingEnd = end };
                state.Version = await store.CommitAsync(job.StateId, input, [], [], pending, state.Version, cancellationToken).ConfigureAwait(false) ?? throw new StreamTaskLostException();
                _committed = pending;
            }

            // Unique per sub-batch of this epoch of the job: its offsets and how many sub-batches were committed before.
            string batchKey = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{start}-{end}-{_committed.Flushes}");
            foreach (IGrouping<string, (string Topic, ProduceRecord Record)> topic in context.Outputs.GroupBy(o => o.Topic, StringComparer.Ordinal))
            {
                // One write per output partition, each with its own key: a replay whose records differ on one partition
                // (a join's table changed since) leaves the others to be recognised, or written, on their own.
                TopicConfig config = await topics.GetAsync(topic.Key, cancellationToken).ConfigureAwait(false);
                int fallback = Log.Partitioning.Murmur2.Partition(System.Text.Encoding.UTF8.GetBytes(batchKey), config.Partitions);
                foreach (IGrouping<int, ProduceRecord> partition in topic.Select(o => o.Record).GroupBy(r => LogProducer.PartitionByKey(r, config.Partitions) ?? fallback))
                {
                    string idempotencyKey = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{batchKey}-p{partition.Key}");
                    try
                    {
                        await producer.ProduceIdempotentAsync(topic.Key, [.. partition.Select(r => r with { Partition = partition.Key })], idempotencyKey, Scope, cancellationToken).ConfigureAwait(false);
                    }
                    catch (LogException e) when (replay && e.Kind == LogErrorKind.OutOfOrderSequence)
                    {
                        // The interrupted attempt wrote this partition's records with other contents: those stand.
                        LogReplayDiffered(logger, job.Name, input.Topic, input.Partition, start, end, topic.Key);
                    }
                }
            }
        }

        if (context.Results.Count > 0)
        {
            await store.PutResultsAsync(job.StateId, context.Results, cancellationToken).ConfigureAwait(false);
        }

        (IReadOnlyList<(string Row, string State)> upserts, IReadOnlyList<string> deletes) = state.Changes();
        var position = new TaskPosition(end, state.Watermark, null, state.Late, _committed.Flushes + 1, _committed.Processed + context.Records);
        state.Version = await store.CommitAsync(job.StateId, input, upserts, deletes, position, state.Version, cancellationToken).ConfigureAwait(false) ?? throw new StreamTaskLostException();
        state.Committed();
        metrics?.Committed(job.Name, input, context.Records, position.Late - _committed.Late);
        (state.Next, state.PendingEnd, _committed) = (end, null, position);
    }

    private string Scope => $"stream/{job.StateId}/{input.Topic}/{input.Partition}";

    /// <summary>Outputs their topic would refuse (over its record size; keyless on a compacted topic) go to the dead-letter topic instead.</summary>
    private async Task RefuseUnfitOutputsAsync(StreamContext context, CancellationToken cancellationToken)
    {
        var configs = new Dictionary<string, Log.Topics.TopicConfig?>(StringComparer.Ordinal);
        for (int i = 0; i < context.Outputs.Count; i++)
        {
            (string topic, ProduceRecord record) = context.Outputs[i];
            if (!configs.TryGetValue(topic, out Log.Topics.TopicConfig? config)) configs[topic] = config = await topics.FindAsync(topic, cancellationToken).ConfigureAwait(false);
            if (config is null) continue; // a missing output topic fails the sub-batch: it is retried until someone creates it again
            if (record.CountedBytes() > config.MaxRecordBytes) context.Refuse(i, $"the record is larger than topic '{topic}' takes ({config.MaxRecordBytes} bytes)");
            else if (config.IsCompacted && record.Key is null) context.Refuse(i, $"topic '{topic}' is compacted and takes keyed records only");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {Job} on {Topic}/{Partition}: the replay of offsets up to {Pending} found only up to {End}; it loads and fetches again")]
    private static partial void LogShortReplay(ILogger logger, string job, string topic, int partition, long end, long pending);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {Job} on {Topic}/{Partition}: offsets {Start} to {End} made other records for {Output} on replay than when first written; the first ones stand")]
    private static partial void LogReplayDiffered(ILogger logger, string job, string topic, int partition, long start, long end, string output);
}
