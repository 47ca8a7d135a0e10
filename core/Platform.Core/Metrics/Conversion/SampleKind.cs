namespace Platform.Core.Metrics.Conversion;

/// <summary>How a converted sample's value is stored.</summary>
public enum SampleKind
{
    /// <summary>The value at its time (gauges, cumulative sums and histograms): stored as is.</summary>
    Absolute,

    /// <summary>An increment (delta sums and histograms, derived counters): added to the series' running total first.</summary>
    Delta,
}
