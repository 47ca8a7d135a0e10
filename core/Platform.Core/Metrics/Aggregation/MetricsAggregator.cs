using Google.Protobuf;
using Microsoft.Extensions.Options;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using Platform.Core.Consumers;
using Platform.Core.Ingestion.Otlp;
using Platform.Core.Metrics.Conversion;
using Platform.Core.Storage;

namespace Platform.Core.Metrics.Aggregation;

/// <summary>
/// The aggregation job: reads OTLP records (metrics, and logs and spans for the derived counters), converts them to
/// Prometheus samples and stores them. A record that is not OTLP protobuf fails alone (dead-lettered), never the job.
/// </summary>
public sealed class MetricsAggregator(SampleWriter writer, IMetricStore store, IOptions<OtlpOptions> otlp) : IConsumerHandler
{
    private readonly HashSet<string> _knownMetadata = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public async Task<IReadOnlyList<RecordFailure>> HandleAsync(ConsumerBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var samples = new List<ConvertedSample>();
        var metadata = new List<MetricMetadata>();
        var failures = new List<RecordFailure>();
        var topic = batch.Partition.Topic;
        foreach (var record in batch.Records)
        {
            var value = record.Value ?? ReadOnlyMemory<byte>.Empty;
            var first = samples.Count;
            try
            {
                if (topic == otlp.Value.MetricsTopic)
                {
                    foreach (var resource in ExportMetricsServiceRequest.Parser.ParseFrom(value.Span).ResourceMetrics)
                    {
                        OtlpMetricsConverter.Convert(resource, record.Offset, samples, metadata);
                    }
                }
                else if (topic == otlp.Value.LogsTopic)
                {
                    foreach (var resource in ExportLogsServiceRequest.Parser.ParseFrom(value.Span).ResourceLogs)
                    {
                        OtlpSignalCounters.CountLogs(resource, record.Offset, samples, metadata);
                    }
                }
                else
                {
                    foreach (var resource in ExportTraceServiceRequest.Parser.ParseFrom(value.Span).ResourceSpans)
                    {
                        OtlpSignalCounters.CountSpans(resource, record.Offset, samples, metadata);
                    }
                }
            }
            catch (InvalidProtocolBufferException e)
            {
                samples.RemoveRange(first, samples.Count - first);
                failures.Add(new RecordFailure(record.Offset, $"not an OTLP protobuf export request: {e.Message}", Retriable: false));
                continue;
            }
            for (var i = first; i < samples.Count; i++) samples[i] = samples[i] with { ArrivedAt = record.AppendTime };
        }
        await writer.WriteAsync(batch.Partition.ToString(), samples, cancellationToken).ConfigureAwait(false);
        List<MetricMetadata> fresh;
        lock (_knownMetadata)
        {
            fresh = metadata.DistinctBy(m => m.Metric, StringComparer.Ordinal).Where(m => !_knownMetadata.Contains(m.Metric)).ToList();
        }
        if (fresh.Count > 0)
        {
            await store.UpsertMetadataAsync(fresh, cancellationToken).ConfigureAwait(false);
            lock (_knownMetadata) _knownMetadata.UnionWith(fresh.Select(m => m.Metric));
        }
        return failures;
    }
}
