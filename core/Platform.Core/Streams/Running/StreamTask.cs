using Microsoft.Extensions.Logging;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Platform.Core.Log;
using Platform.Core.Log.Appending;
using Platform.Core.Storage;
using Platform.Core.Streams.Engine;

namespace Platform.Core.Streams.Running;

/// <summary>Another instance moved the task's position (it took the partition over, or the job was reset): stop, reload.</summary>
public sealed class StreamTaskLostException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StreamTaskLostException()
        : base("Another instance moved this task's position.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public StreamTaskLostException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public StreamTaskLostException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// One job on one input partition, exactly once. Records are processed in sub-batches; each sub-batch [a, m) ends in one
/// table transaction that writes its window changes and moves the position to m. Its records for topics are written
/// before that with an Idempotency-Key made of a and m, after the position row has said "m is pending": a crash after
/// the write and before the commit replays exactly [a, m) from the state at a, makes the same records, and the log
/// answers them as the duplicates they are. Window results for the results table are upserts of final values, the same
/// on a replay. A sub-batch holds at most <see cref="IStreamStore.MaxChangesPerCommit"/> window changes.
/// </summary>
internal sealed partial class StreamTask(StreamJob job, TopicPartition input, IStreamStore store, LogProducer producer, ITableLookup? tables, ILogger logger)
{
    private const int Headroom = 25; // window changes one record can make (hopping windows are capped at 20 per record)

    private TaskState? _state;
    private TaskPosition _committed = new(0, long.MinValue, null, 0);
    private StreamOperator? _pipeline;

    public StreamJob Job => job;

    /// <summary>The next input offset, once loaded.</summary>
    public long Next => _state?.Next ?? 0;

    /// <summary>Loads the task's state, unless the cached one is still the stored one (one small read).</summary>
    public async Task EnsureLoadedAsync(Func<CancellationToken, Task<long>> startOffset, CancellationToken cancellationToken)
    {
        (TaskPosition? position, string? version) = await store.GetPositionAsync(job.Name, input, cancellationToken).ConfigureAwait(false);
        if (_state is not null && version is not null && _state.Version == version)
        {
            return;
        }

        StoredTask stored = await store.LoadAsync(job.Name, input, cancellationToken).ConfigureAwait(false);
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
    /// Processes fetched records (those below the position are done already) and commits; <paramref name="fetchNext"/>
    /// is where the next fetch starts (past offsets compaction emptied). Returns the records processed.
    /// </summary>
    public async Task<int> ProcessAsync(IReadOnlyList<LogRecord> records, long fetchNext, CancellationToken cancellationToken)
    {
        TaskState state = _state ?? throw new InvalidOperationException("The task is not loaded.");
        try
        {
            var context = new StreamContext(job.Name, state, tables, cancellationToken);
            long start = state.Next, last = -1;
            int processed = 0;
            foreach (LogRecord record in records)
            {
                if (record.Offset < state.Next) continue;
                bool cut = state.PendingEnd is { } pending ? record.Offset >= pending : state.ChangeCount > IStreamStore.MaxChangesPerCommit - Headroom;
                if (last >= 0 && cut)
                {
                    await FlushAsync(context, start, last + 1, cancellationToken).ConfigureAwait(false);
                    context = new StreamContext(job.Name, state, tables, cancellationToken);
                    start = state.Next;
                }

                await PushAsync(record, context).ConfigureAwait(false);
                last = record.Offset;
                processed++;
            }

            if (last >= 0)
            {
                if (state.PendingEnd is { } pending && last + 1 < pending)
                {
                    // A replay must end where the interrupted attempt did; this fetch stops short of it: load and fetch again.
                    LogShortReplay(logger, job.Name, input.Topic, input.Partition, last + 1, pending);
                    Drop();
                    return 0;
                }

                await FlushAsync(context, start, last + 1, cancellationToken).ConfigureAwait(false);
            }

            if (fetchNext > state.Next && state.PendingEnd is null)
            {
                // Offsets with no records (compacted away, or control batches): the position moves past them.
                await FlushAsync(new StreamContext(job.Name, state, tables, cancellationToken), state.Next, fetchNext, cancellationToken).ConfigureAwait(false);
            }

            return processed;
        }
        catch
        {
            Drop(); // whatever was applied in memory beyond the last commit is not the stored state
            throw;
        }
    }

    private async Task PushAsync(LogRecord record, StreamContext context)
    {
        JToken? value;
        try
        {
            value = record.Value is { } bytes ? Parse(bytes.Span) : null;
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
        if (context.Outputs.Count > 0)
        {
            bool replay = _committed.PendingEnd == end;
            if (!replay)
            {
                // Say which sub-batch is being written before writing it: a replay cuts the same one and makes the same records.
                TaskPosition pending = _committed with { PendingEnd = end };
                state.Version = await store.CommitAsync(job.Name, input, [], [], pending, state.Version, cancellationToken).ConfigureAwait(false) ?? throw new StreamTaskLostException();
                _committed = pending;
            }

            foreach (IGrouping<string, (string Topic, ProduceRecord Record)> topic in context.Outputs.GroupBy(o => o.Topic, StringComparer.Ordinal))
            {
                string idempotencyKey = $"{start}-{end}";
                try
                {
                    await producer.ProduceIdempotentAsync(topic.Key, [.. topic.Select(o => o.Record)], idempotencyKey, Scope, cancellationToken).ConfigureAwait(false);
                }
                catch (LogException e) when (replay && e.Kind == LogErrorKind.OutOfOrderSequence)
                {
                    // The interrupted attempt wrote this sub-batch with other contents (a join's table changed since): those stand.
                    LogReplayDiffered(logger, job.Name, input.Topic, input.Partition, start, end, topic.Key);
                }
            }
        }

        if (context.Results.Count > 0)
        {
            await store.PutResultsAsync(job.Name, context.Results, cancellationToken).ConfigureAwait(false);
        }

        (IReadOnlyList<(string Row, string State)> upserts, IReadOnlyList<string> deletes) = state.Changes();
        var position = new TaskPosition(end, state.Watermark, null, state.Late);
        state.Version = await store.CommitAsync(job.Name, input, upserts, deletes, position, state.Version, cancellationToken).ConfigureAwait(false) ?? throw new StreamTaskLostException();
        state.Committed();
        (state.Next, state.PendingEnd, _committed) = (end, null, position);
    }

    private string Scope => $"stream/{job.Name}/{input.Topic}/{input.Partition}";

    private static JToken Parse(ReadOnlySpan<byte> bytes)
    {
        using var reader = new JsonTextReader(new StringReader(System.Text.Encoding.UTF8.GetString(bytes))) { DateParseHandling = DateParseHandling.None, FloatParseHandling = FloatParseHandling.Double };
        JToken token = JToken.ReadFrom(reader);
        if (reader.Read()) throw new JsonReaderException("text after the JSON value");
        return token;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {Job} on {Topic}/{Partition}: the replay of offsets up to {Pending} found only up to {End}; it loads and fetches again")]
    private static partial void LogShortReplay(ILogger logger, string job, string topic, int partition, long end, long pending);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {Job} on {Topic}/{Partition}: offsets {Start} to {End} made other records for {Output} on replay than when first written; the first ones stand")]
    private static partial void LogReplayDiffered(ILogger logger, string job, string topic, int partition, long start, long end, string output);
}
