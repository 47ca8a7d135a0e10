using Newtonsoft.Json.Linq;
using Platform.Core.Log;

namespace Platform.Core.Streams.Engine;

/// <summary>
/// What one sub-batch of a task produced: records for output topics (in order), window results for the results table,
/// and the task's state it changes. Deterministic: processing the same input from the same state gives the same.
/// </summary>
public sealed class StreamContext(string job, TaskState state, ITableLookup? tables, int changeBudget, CancellationToken cancellationToken)
{
    private readonly Dictionary<(string Table, string Key), JToken?> _lookups = [];

    private readonly List<(string Topic, ProduceRecord Record)> _outputs = [];
    private readonly List<WindowResult> _results = [];

    /// <summary>The job's name.</summary>
    public string Job => job;

    /// <summary>Input records this sub-batch processed.</summary>
    public int Records { get; internal set; }

    /// <summary>The most window changes this sub-batch may hold (one commit's room).</summary>
    public int ChangeBudget => changeBudget;

    /// <summary>The task's state.</summary>
    public TaskState State => state;

    /// <summary>Stops the work.</summary>
    public CancellationToken CancellationToken => cancellationToken;

    /// <summary>Records for output topics, in the order they were made.</summary>
    public IReadOnlyList<(string Topic, ProduceRecord Record)> Outputs => _outputs;

    /// <summary>Window results for the results table.</summary>
    public IReadOnlyList<WindowResult> Results => _results;

    /// <summary>The job's dead-letter topic: records it could not process, with the reason in a header.</summary>
    public static string DeadLetterTopicOf(string job) => $"job.{job}.dlq";

    /// <summary>The dead-letter topic's settings: one partition, room for any record a topic holds.</summary>
    public static Log.Topics.TopicConfig DeadLetterTopicConfig(string job) => new() { Name = DeadLetterTopicOf(job), Partitions = 1, MaxRecordBytes = Log.Topics.TopicConfig.MaxMaxRecordBytes };

    /// <summary>Sends a record to a topic.</summary>
    public void Output(string topic, StreamRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        _outputs.Add((topic, new ProduceRecord
        {
            Key = record.Key is null ? null : System.Text.Encoding.UTF8.GetBytes(record.Key),
            Value = record.Value is null ? null : System.Text.Encoding.UTF8.GetBytes(record.Value.ToString(Newtonsoft.Json.Formatting.None)),
            Timestamp = record.Timestamp,
        }));
    }

    /// <summary>Sends a record made ready for a topic as it is.</summary>
    public void Output(string topic, ProduceRecord record) => _outputs.Add((topic, record));

    /// <summary>Sends an input record the job could not process to its dead-letter topic, as it came, with the reason.</summary>
    public void DeadLetter(LogRecord input, string topic, int partition, string reason)
    {
        ArgumentNullException.ThrowIfNull(input);
        _outputs.Add((DeadLetterTopicOf(job), new ProduceRecord
        {
            Key = input.Key,
            Value = input.Value,
            Timestamp = input.Timestamp,
            Headers =
            [
                new RecordHeader("job.error", System.Text.Encoding.UTF8.GetBytes(reason)),
                new RecordHeader("job.source", System.Text.Encoding.UTF8.GetBytes(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{topic}/{partition}/{input.Offset}"))),
            ],
        }));
    }

    /// <summary>Sends a record a step made (a window's result) that a later step could not process to the dead-letter topic.</summary>
    public void DeadLetter(StreamRecord record, string reason)
    {
        ArgumentNullException.ThrowIfNull(record);
        _outputs.Add((DeadLetterTopicOf(job), new ProduceRecord
        {
            Key = record.Key is null ? null : System.Text.Encoding.UTF8.GetBytes(record.Key),
            Value = record.Value is null ? null : System.Text.Encoding.UTF8.GetBytes(record.Value.ToString(Newtonsoft.Json.Formatting.None)),
            Timestamp = record.Timestamp,
            Headers = [new RecordHeader("job.error", System.Text.Encoding.UTF8.GetBytes(reason))],
        }));
    }

    /// <summary>Replaces an output that its topic would refuse (too large; keyless on a compacted topic) by a dead letter.</summary>
    internal void Refuse(int index, string reason)
    {
        (string topic, ProduceRecord record) = _outputs[index];
        _outputs[index] = (DeadLetterTopicOf(job), record with
        {
            Headers = [.. record.Headers, new RecordHeader("job.error", System.Text.Encoding.UTF8.GetBytes(reason)), new RecordHeader("job.output", System.Text.Encoding.UTF8.GetBytes(topic))],
        });
    }

    /// <summary>Keeps a window result in the results table.</summary>
    public void Result(WindowResult result) => _results.Add(result);

    /// <summary>A join's table lookup (each key read once per sub-batch).</summary>
    public async ValueTask<JToken?> LookupAsync(string table, string key)
    {
        if (_lookups.TryGetValue((table, key), out JToken? known)) return known;
        JToken? found = tables is null ? null : await tables.LookupAsync(table, key, cancellationToken).ConfigureAwait(false);
        _lookups[(table, key)] = found;
        return found;
    }
}
