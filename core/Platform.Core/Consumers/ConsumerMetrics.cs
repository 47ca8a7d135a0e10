using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Diagnostics;
using Platform.Core.Log;

namespace Platform.Core.Consumers;

/// <summary>The consumer runtime's own OpenTelemetry metrics (meter <c>Platform.Consumers</c>).</summary>
public sealed class ConsumerMetrics : IDisposable
{
    /// <summary>Meter name, for <c>AddMeter</c>.</summary>
    public const string MeterName = "Platform.Consumers";

    private readonly Meter _meter = new(MeterName);
    private readonly ConcurrentDictionary<(string Group, TopicPartition Partition), long> _lag = new();
    private readonly Counter<long> _handled;
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _skipped;

    /// <summary>Creates the instruments.</summary>
    public ConsumerMetrics()
    {
        _handled = _meter.CreateCounter<long>("platform.consumer.records", "{record}", "Records handled by consumer groups.");
        _deadLettered = _meter.CreateCounter<long>("platform.consumer.dead_lettered", "{record}", "Records sent to a dead-letter topic.");
        _skipped = _meter.CreateCounter<long>("platform.consumer.records_skipped", "{record}", "Records a group never read because retention deleted them first (it moved on to the earliest kept offset).");
        _meter.CreateObservableGauge("platform.consumer.lag", ObserveLag, "{record}", "Log end offset minus committed offset, per group and partition.");
    }

    /// <summary>Counts records a group skipped because retention deleted them before it read them.</summary>
    public void Skipped(string group, TopicPartition partition, long records)
    {
        if (records > 0)
        {
            _skipped.Add(records, new TagList { { "group", group }, { "topic", partition.Topic }, { "partition", partition.Partition } });
        }
    }

    /// <summary>Records progress of a partition.</summary>
    public void Report(string group, TopicPartition partition, int handled, int deadLettered, long lag)
    {
        var tags = new TagList { { "group", group }, { "topic", partition.Topic }, { "partition", partition.Partition } };
        _handled.Add(handled, tags);
        if (deadLettered > 0)
        {
            _deadLettered.Add(deadLettered, tags);
        }

        _lag[(group, partition)] = lag;
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<long>> ObserveLag() =>
        _lag.Select(kv => new Measurement<long>(kv.Value, new TagList { { "group", kv.Key.Group }, { "topic", kv.Key.Partition.Topic }, { "partition", kv.Key.Partition.Partition } }));
}
