namespace Platform.Core.Ingestion.Otlp;

/// <summary>Where OTLP data goes, bound from <c>Platform:Otlp</c>.</summary>
public sealed class OtlpOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Platform:Otlp";

    /// <summary>Topic of OTLP logs. Default <c>otlp.logs</c>.</summary>
    public string LogsTopic { get; set; } = "otlp.logs";

    /// <summary>The default topic of OTLP metrics.</summary>
    public const string DefaultMetricsTopic = "otlp.metrics";

    /// <summary>Topic of OTLP metrics. Default <c>otlp.metrics</c>.</summary>
    public string MetricsTopic { get; set; } = DefaultMetricsTopic;

    /// <summary>Topic of OTLP traces. Default <c>otlp.traces</c>.</summary>
    public string TracesTopic { get; set; } = "otlp.traces";

    /// <summary>Partitions of the OTLP topics when the platform creates them at start. Default 4.</summary>
    public int TopicPartitions { get; set; } = 4;
}
