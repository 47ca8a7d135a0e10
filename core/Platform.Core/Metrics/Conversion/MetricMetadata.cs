namespace Platform.Core.Metrics.Conversion;

/// <summary>What <c>/api/v1/metadata</c> answers for a metric family: type (counter, gauge, histogram, summary), help, unit.</summary>
public sealed record MetricMetadata(string Metric, string Type, string Help, string Unit);
