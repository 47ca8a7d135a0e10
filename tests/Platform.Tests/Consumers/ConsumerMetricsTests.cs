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
        string group = "metrics-" + Guid.NewGuid().ToString("N"); // other tests' runners publish on the same meter name at once
        listener.SetMeasurementEventCallback<long>((i, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "group" && Equals(tag.Value, group))
                {
                    lock (seen)
                    {
                        seen[i.Name] = seen.GetValueOrDefault(i.Name) + value;
                    }
                }
            }
        });
        listener.Start();
        metrics.Report(group, new TopicPartition("t", 0), handled: 7, deadLettered: 1, lag: 42);
        listener.RecordObservableInstruments();
        Assert.Equal(7, seen["platform.consumer.records"]);
        Assert.Equal(1, seen["platform.consumer.dead_lettered"]);
        Assert.Equal(42, seen["platform.consumer.lag"]);
    }
}
