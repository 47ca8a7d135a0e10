using Platform.Core.Metrics.Conversion;

namespace Platform.Tests.Metrics;

/// <summary>The OpenTelemetry → Prometheus name rules of the compatibility specification.</summary>
public sealed class PrometheusNamesTests
{
    [Theory]
    [InlineData("http.server.duration", "s", false, false, "http_server_duration_seconds")]
    [InlineData("orders.placed", "{order}", true, false, "orders_placed_total")]
    [InlineData("requests_total", "", true, false, "requests_total")]
    [InlineData("bytes.sent", "By", true, false, "bytes_sent_bytes_total")]
    [InlineData("throughput", "By/s", false, true, "throughput_bytes_per_second")]
    [InlineData("cpu.utilization", "1", false, true, "cpu_utilization_ratio")]
    [InlineData("queue.size", "1", false, false, "queue_size")]
    [InlineData("latency_seconds", "s", false, false, "latency_seconds")]
    [InlineData("2xx.count", "", true, false, "_2xx_count_total")]
    [InlineData("weird--name..x", "ms", false, true, "weird_name_x_milliseconds")]
    [InlineData("rate", "/s", false, true, "rate_per_second")]
    [InlineData("ns:metric", "", false, true, "ns:metric")]
    public void Metric_names_follow_the_compatibility_specification(string name, string unit, bool monotonic, bool gauge, string expected) =>
        Assert.Equal(expected, PrometheusNames.MetricName(name, unit, monotonic, gauge));

    [Theory]
    [InlineData("http.method", "http_method")]
    [InlineData("k8s.pod.name", "k8s_pod_name")]
    [InlineData("1st", "key_1st")]
    [InlineData("a-b", "a_b")]
    [InlineData("_private", "_private")]
    public void Label_names_are_sanitized(string key, string expected) => Assert.Equal(expected, PrometheusNames.LabelName(key));
}
