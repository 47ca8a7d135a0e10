using Platform.Benchmarks.Peers;

namespace Platform.Tests.Promql;

/// <summary>A test that needs the real Prometheus; skipped, saying why, only when it is not installed.</summary>
public sealed class PrometheusFactAttribute : FactAttribute
{
    public PrometheusFactAttribute()
    {
        if (PrometheusServer.Missing is { } why) Skip = why;
    }
}
