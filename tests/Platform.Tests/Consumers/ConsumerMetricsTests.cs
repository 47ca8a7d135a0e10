using System.Diagnostics.Metrics;
using Platform.Core.Consumers;
using Platform.Core.Log;

namespace Platform.Tests.Consumers;

public sealed class ConsumerMetricsTests
{
    [Fact]
    public void Lag_and_throughput_are_published_as_opentelemetry_metrics()
    {
        using var metrics = new ConsumerMetrics();
        var seen = new Dictionary<string, long>();
        using var listener = new MeterListener { InstrumentPublished = (i, l) => { if (i.Meter.Name == ConsumerMetrics.MeterName) { l.EnableMeasurementEvents(i); } } };
        listener.SetMeasurementEventCallback<long>((i, value, _, _) => seen[i.Name] = seen.GetValueOrDefault(i.Name) + value);
        listener.Start();
        metrics.Report("g", new TopicPartition("t", 0), handled: 7, deadLettered: 1, lag: 42);
        listener.RecordObservableInstruments();
        Assert.Equal(7, seen["platform.consumer.records"]);
        Assert.Equal(1, seen["platform.consumer.dead_lettered"]);
        Assert.Equal(42, seen["platform.consumer.lag"]);
    }
}
