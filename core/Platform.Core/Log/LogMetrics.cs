using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Platform.Core.Log;

/// <summary>The log engine's own OpenTelemetry metrics (meter <c>Platform.Log</c>).</summary>
public sealed class LogMetrics : IDisposable
{
    /// <summary>Meter name, for <c>AddMeter</c>.</summary>
    public const string MeterName = "Platform.Log";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _producersEvicted;
    private readonly UpDownCounter<long> _producersTracked;

    /// <summary>Creates the instruments.</summary>
    public LogMetrics()
    {
        _producersEvicted = _meter.CreateCounter<long>("platform.log.producer_ids.evicted", "{producer}", "Idempotent producer ids forgotten by partition writers (reason: expired or limit).");
        _producersTracked = _meter.CreateUpDownCounter<long>("platform.log.producer_ids", "{producer}", "Idempotent producer ids tracked by this instance's partition writers.");
    }

    /// <summary>Producer ids a writer forgot.</summary>
    internal void ProducersEvicted(TopicPartition partition, string reason, int count) =>
        _producersEvicted.Add(count, new TagList { { "topic", partition.Topic }, { "partition", partition.Partition }, { "reason", reason } });

    /// <summary>Change in the number of producer ids a writer tracks.</summary>
    internal void ProducersTracked(TopicPartition partition, int delta)
    {
        if (delta != 0)
        {
            _producersTracked.Add(delta, new TagList { { "topic", partition.Topic }, { "partition", partition.Partition } });
        }
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
