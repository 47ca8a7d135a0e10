using System.Diagnostics;
using System.Diagnostics.Metrics;
using Platform.Core.Log;

namespace Platform.Core.Streams.Running;

/// <summary>The stream jobs' own throughput on meter <c>Platform.Streams</c>: records processed, late records, sub-batches committed.</summary>
public sealed class StreamMetrics : IDisposable
{
    /// <summary>Meter name, for <c>AddMeter</c>.</summary>
    public const string MeterName = "Platform.Streams";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _records;
    private readonly Counter<long> _late;
    private readonly Counter<long> _commits;

    /// <summary>Creates the instruments.</summary>
    public StreamMetrics()
    {
        _records = _meter.CreateCounter<long>("platform.streams.records", "{record}", "Input records processed by stream jobs (a replayed sub-batch counts again).");
        _late = _meter.CreateCounter<long>("platform.streams.late", "{record}", "Records that came after their windows closed.");
        _commits = _meter.CreateCounter<long>("platform.streams.commits", "{commit}", "Sub-batches committed (window changes and position in one transaction).");
    }

    /// <summary>Counts one committed sub-batch.</summary>
    public void Committed(string job, TopicPartition input, long records, long late)
    {
        var tags = new TagList { { "job", job }, { "topic", input.Topic }, { "partition", input.Partition } };
        _commits.Add(1, tags);
        if (records > 0) _records.Add(records, tags);
        if (late > 0) _late.Add(late, tags);
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
