namespace Platform.Core.Metrics.Api;

/// <summary>An answer of the Prometheus API: the HTTP status and the JSON body.</summary>
public sealed record PrometheusResponse(int StatusCode, byte[] Body);
