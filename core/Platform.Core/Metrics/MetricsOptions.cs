namespace Platform.Core.Metrics;

/// <summary>The metrics job and query API (<c>Platform:Metrics</c>).</summary>
public sealed class MetricsOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Platform:Metrics";

    /// <summary>Whether the aggregation jobs run. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Consumer group of the job on OTLP metrics; the log and span counters use <c>{Group}-logs</c> and <c>{Group}-traces</c>. Default <c>metrics</c>.</summary>
    public string Group { get; set; } = "metrics";

    /// <summary>Whether log records and spans are counted into <c>log_records_total</c>, <c>spans_total</c> and <c>span_duration_seconds</c>. Default true.</summary>
    public bool DeriveFromLogsAndTraces { get; set; } = true;

    /// <summary>How late a sample may arrive (relative to now) and still be stored; older ones are dropped and counted. Default 1 hour.</summary>
    public TimeSpan LateSampleGrace { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How far in the future a sample's time may be (clock skew); later ones are dropped and counted. Default 10 minutes.</summary>
    public TimeSpan FutureTolerance { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Most series one metric name may have; samples of further new series are dropped and counted. Default 10,000.</summary>
    public int MaxSeriesPerMetric { get; set; } = 10_000;

    /// <summary>How many chunk writes and total updates run at once per batch. Default 16.</summary>
    public int WriteConcurrency { get; set; } = 16;

    /// <summary>Query limits: most samples a query may load (Prometheus's <c>query.max-samples</c>). Default 5,000,000.</summary>
    public long QueryMaxSamples { get; set; } = 5_000_000;

    /// <summary>Query limits: longest a query may run (Prometheus's <c>query.timeout</c>). Default 2 minutes.</summary>
    public TimeSpan QueryTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Instant selectors look back this far for a sample (Prometheus's <c>query.lookback-delta</c>). Default 5 minutes.</summary>
    public TimeSpan LookbackDelta { get; set; } = TimeSpan.FromMinutes(5);
}
