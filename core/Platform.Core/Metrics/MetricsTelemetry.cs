using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Platform.Core.Metrics;

/// <summary>The metrics job's own OpenTelemetry metrics (meter <c>Platform.Metrics</c>).</summary>
public sealed class MetricsTelemetry : IDisposable
{
    /// <summary>Meter name, for <c>AddMeter</c>.</summary>
    public const string MeterName = "Platform.Metrics";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _written;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _created;

    /// <summary>Creates the instruments.</summary>
    public MetricsTelemetry()
    {
        _written = _meter.CreateCounter<long>("platform.metrics.samples", "{sample}", "Samples stored by the metrics job.");
        _dropped = _meter.CreateCounter<long>("platform.metrics.samples_dropped", "{sample}",
            "Samples the metrics job dropped, by reason: too_old (beyond the late-sample grace), too_new, series_limit, chunk_full.");
        _created = _meter.CreateCounter<long>("platform.metrics.series_created", "{series}", "New series added to the index.");
    }

    /// <summary>Counts stored samples.</summary>
    public void Written(long samples) => _written.Add(samples);

    /// <summary>Counts dropped samples.</summary>
    public void Dropped(long samples, string reason, string metric)
    {
        if (samples > 0) _dropped.Add(samples, new TagList { { "reason", reason }, { "metric", metric } });
    }

    /// <summary>Counts new series.</summary>
    public void Created(long series) => _created.Add(series);

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
