using Google.Protobuf;
using Newtonsoft.Json.Linq;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;
using Platform.Core.Ingestion.Otlp;
using Platform.Core.Log;

namespace Platform.Core.Streams.Engine;

/// <summary>
/// Writes each record's numeric fields as OTLP gauges to the OTLP metrics topic, where the metrics pipeline makes them
/// Prometheus series: <c>{name}_{field}</c> with label <c>job</c> (the stream job) and <paramref name="label"/> (the
/// record's key), at the record's timestamp (a window's end). Counts can then be charted and alerted on with PromQL.
/// The records are written like any output, exactly once.
/// </summary>
internal sealed class MetricsOperator(string topic, string name, string label) : StreamOperator
{
    private static readonly RecordHeader[] Headers = OtlpIngestor.RecordHeaders("metrics");

    public override ValueTask PushAsync(StreamRecord record, StreamContext context)
    {
        if (record.Value is JObject fields)
        {
            ulong at = (ulong)Math.Max(0, record.Timestamp) * 1_000_000UL;
            var scope = new ScopeMetrics { Scope = new InstrumentationScope { Name = "platform.streams" } };
            foreach ((string field, JToken? value) in fields)
            {
                if (value is not JValue { Type: JTokenType.Integer or JTokenType.Float } number || field is "start" or "end") continue;
                var point = new NumberDataPoint { TimeUnixNano = at, AsDouble = number.Value<double>() };
                point.Attributes.Add(new KeyValue { Key = label, Value = new AnyValue { StringValue = record.Key ?? "" } });
                var gauge = new Gauge();
                gauge.DataPoints.Add(point);
                scope.Metrics.Add(new Metric { Name = $"{name}_{field}", Description = $"Stream job {context.Job}: {field}", Gauge = gauge });
            }

            if (scope.Metrics.Count > 0)
            {
                var resource = new ResourceMetrics { Resource = new Resource() };
                resource.Resource.Attributes.Add(new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = context.Job } });
                resource.ScopeMetrics.Add(scope);
                var request = new ExportMetricsServiceRequest();
                request.ResourceMetrics.Add(resource);
                context.Output(topic, new ProduceRecord
                {
                    Key = System.Text.Encoding.UTF8.GetBytes(context.Job),
                    Value = request.ToByteArray(),
                    Timestamp = record.Timestamp,
                    Headers = Headers,
                });
            }
        }

        return ForwardAsync(record, context);
    }
}
