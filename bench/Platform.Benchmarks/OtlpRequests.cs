using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;

namespace Platform.Benchmarks;

/// <summary>Real OTLP export requests, shaped like the SDK's batch exporters send them.</summary>
internal static class OtlpRequests
{
    public static byte[] Logs(int records) => Request(records).ToByteArray();

    /// <summary>One resource, one scope, <paramref name="points"/> cumulative sum data points over distinct attribute sets.</summary>
    public static byte[] Metrics(int points)
    {
        var sum = new Sum { AggregationTemporality = AggregationTemporality.Cumulative, IsMonotonic = true };
        ulong now = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000UL;
        for (int i = 0; i < points; i++)
        {
            sum.DataPoints.Add(new NumberDataPoint
            {
                StartTimeUnixNano = now - 60_000_000_000UL,
                TimeUnixNano = now,
                AsInt = 1000 + i,
                Attributes = { new KeyValue { Key = "http.route", Value = new AnyValue { StringValue = "/orders/" + i } }, new KeyValue { Key = "http.response.status_code", Value = new AnyValue { IntValue = 200 } } },
            });
        }

        return new ExportMetricsServiceRequest
        {
            ResourceMetrics =
            {
                new ResourceMetrics
                {
                    Resource = new Resource { Attributes = { new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = "checkout" } } } },
                    ScopeMetrics = { new ScopeMetrics { Scope = new InstrumentationScope { Name = "Shop" }, Metrics = { new Metric { Name = "http.server.requests", Unit = "{request}", Sum = sum } } } },
                },
            },
        }.ToByteArray();
    }

    /// <summary>A request like the SDK's batch exporter sends: one resource, one scope, many ~200-byte records.</summary>
    private static ExportLogsServiceRequest Request(int records)
    {
        var scope = new ScopeLogs { Scope = new InstrumentationScope { Name = "Shop.Orders" } };
        for (int i = 0; i < records; i++)
        {
            scope.LogRecords.Add(new LogRecord
            {
                TimeUnixNano = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000UL,
                SeverityNumber = SeverityNumber.Info,
                SeverityText = "Information",
                Body = new AnyValue { StringValue = "Order {OrderId} placed by {Customer} in {Ms} ms" },
                Attributes =
                {
                    new KeyValue { Key = "OrderId", Value = new AnyValue { IntValue = 100_000 + i } },
                    new KeyValue { Key = "Customer", Value = new AnyValue { StringValue = "customer-" + i } },
                },
                TraceId = ByteString.CopyFrom(Guid.NewGuid().ToByteArray()),
                SpanId = ByteString.CopyFrom(Guid.NewGuid().ToByteArray()[..8]),
            });
        }

        return new ExportLogsServiceRequest
        {
            ResourceLogs =
            {
                new ResourceLogs
                {
                    Resource = new Resource { Attributes = { new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = "checkout" } } } },
                    ScopeLogs = { scope },
                },
            },
        };
    }
}
