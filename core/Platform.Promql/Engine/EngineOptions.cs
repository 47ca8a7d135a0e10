namespace Platform.Promql.Engine;

/// <summary>Limits and semantics of the query engine (Prometheus's <c>query.*</c> flags).</summary>
public sealed class EngineOptions
{
    /// <summary>How far back an instant selector looks for a sample. Default 5 minutes, as in Prometheus.</summary>
    public TimeSpan LookbackDelta { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Most samples one query may load and produce (Prometheus's <c>query.max-samples</c>). Default 5,000,000.</summary>
    public long MaxSamples { get; set; } = 5_000_000;

    /// <summary>Longest a query may run (Prometheus's <c>query.timeout</c>). Default 2 minutes.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Most points one series of a range query may have. Default 11,000, as in Prometheus.</summary>
    public int MaxPointsPerSeries { get; set; } = 11_000;
}
