using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Platform.Core.Storage.Azure;

namespace Platform.Benchmarks;

/// <summary>Counts the platform's storage requests (<c>platform.storage.requests</c>) while it is alive, by service and operation.</summary>
internal sealed class StorageRequestCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _byOperation = new(StringComparer.Ordinal);

    public StorageRequestCounter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == StorageRequestMetrics.MeterName && instrument.Name == StorageRequestMetrics.RequestsInstrument)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string service = "?", operation = "?";
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "service") service = tag.Value?.ToString() ?? "?";
                else if (tag.Key == "operation") operation = tag.Value?.ToString() ?? "?";
            }

            _byOperation.AddOrUpdate($"{service} {operation}", value, (_, old) => old + value);
        });
        _listener.Start();
    }

    public long Total => _byOperation.Values.Sum();

    public IReadOnlyDictionary<string, long> ByOperation => _byOperation;

    public void Dispose() => _listener.Dispose();
}
