using System.Globalization;
using System.Text;
using Google.Protobuf;
using Microsoft.Extensions.Options;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;
using Platform.Core.Log;
using Platform.Core.Log.Appending;
using Platform.Core.Log.Topics;

namespace Platform.Core.Ingestion.Otlp;

/// <summary>
/// Appends OTLP exports to their topics: one record per resource, keyed by <c>service.name</c>, whose value
/// is an export request holding just that resource (protobuf), so consumers parse it with the OTLP schema.
/// A resource too large for one record is refused on its own (partial success), not the whole export.
/// </summary>
public sealed class OtlpIngestor(LogProducer producer, TopicManager topics, IOptions<OtlpOptions> options)
{
    private static readonly ReadOnlyMemory<byte> ProtobufContentType = "application/x-protobuf"u8.ToArray();

    /// <summary>The headers of an OTLP record of one signal (logs, metrics, traces): what its value holds and how it is encoded.</summary>
    internal static RecordHeader[] RecordHeaders(string signal) =>
        [new RecordHeader("otlp.signal", Encoding.UTF8.GetBytes(signal)), new RecordHeader("content-type", ProtobufContentType)];

    /// <summary>Appends logs.</summary>
    public Task<OtlpIngestResult> IngestAsync(ExportLogsServiceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return IngestAsync(options.Value.LogsTopic, "logs", "log records", request.ResourceLogs, r => r.Resource, r => r.ScopeLogs.Sum(s => (long)s.LogRecords.Count), r => new ExportLogsServiceRequest { ResourceLogs = { r } }, cancellationToken);
    }

    /// <summary>Appends metrics (counted in data points, as OTLP's partial success does).</summary>
    public Task<OtlpIngestResult> IngestAsync(ExportMetricsServiceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return IngestAsync(options.Value.MetricsTopic, "metrics", "data points", request.ResourceMetrics, r => r.Resource, r => r.ScopeMetrics.Sum(s => s.Metrics.Sum(DataPoints)), r => new ExportMetricsServiceRequest { ResourceMetrics = { r } }, cancellationToken);
    }

    /// <summary>Appends spans.</summary>
    public Task<OtlpIngestResult> IngestAsync(ExportTraceServiceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return IngestAsync(options.Value.TracesTopic, "traces", "spans", request.ResourceSpans, r => r.Resource, r => r.ScopeSpans.Sum(s => (long)s.Spans.Count), r => new ExportTraceServiceRequest { ResourceSpans = { r } }, cancellationToken);
    }

    /// <summary>
    /// The signal's topic, created on first use when start-up could not (storage was unreachable then): an exporter
    /// must never be told 404, which it takes as permanent and drops the data.
    /// </summary>
    private async Task<TopicConfig> TopicAsync(string topic, CancellationToken cancellationToken)
    {
        if (await topics.FindAsync(topic, cancellationToken).ConfigureAwait(false) is { } config)
        {
            return config;
        }

        try
        {
            return await topics.CreateAsync(new TopicConfig { Name = topic, Partitions = options.Value.TopicPartitions, Compression = Log.Batches.CompressionCodec.Zstd }, cancellationToken).ConfigureAwait(false);
        }
        catch (LogException ex) when (ex.Kind == LogErrorKind.TopicAlreadyExists)
        {
            return await topics.GetAsync(topic, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The <c>service.name</c> attribute of a resource, or null.</summary>
    public static string? ServiceName(Resource? resource)
    {
        if (resource is null)
        {
            return null;
        }

        foreach (var attribute in resource.Attributes)
        {
            if (attribute.Key == "service.name" && attribute.Value?.ValueCase == OpenTelemetry.Proto.Common.V1.AnyValue.ValueOneofCase.StringValue)
            {
                return attribute.Value.StringValue;
            }
        }

        return null;
    }

    private static long DataPoints(Metric m) => m.DataCase switch
    {
        Metric.DataOneofCase.Gauge => m.Gauge.DataPoints.Count,
        Metric.DataOneofCase.Sum => m.Sum.DataPoints.Count,
        Metric.DataOneofCase.Histogram => m.Histogram.DataPoints.Count,
        Metric.DataOneofCase.ExponentialHistogram => m.ExponentialHistogram.DataPoints.Count,
        Metric.DataOneofCase.Summary => m.Summary.DataPoints.Count,
        _ => 0,
    };

    private async Task<OtlpIngestResult> IngestAsync<TResource>(string topic, string signal, string itemName, IList<TResource> resources, Func<TResource, Resource?> resourceOf, Func<TResource, long> count, Func<TResource, IMessage> wrap, CancellationToken cancellationToken)
    {
        if (resources.Count == 0)
        {
            return new OtlpIngestResult(0, 0, null);
        }

        TopicConfig config = await TopicAsync(topic, cancellationToken).ConfigureAwait(false);
        var records = new List<ProduceRecord>(resources.Count);
        long accepted = 0, rejected = 0;
        string? error = null;
        RecordHeader[] headers = RecordHeaders(signal);
        foreach (TResource resource in resources)
        {
            long items = count(resource);
            string? service = ServiceName(resourceOf(resource));
            var record = new ProduceRecord { Key = ProduceRecord.Bytes(service is null ? null : Encoding.UTF8.GetBytes(service)), Value = wrap(resource).ToByteArray(), Headers = headers };
            if (record.CountedBytes() > config.MaxRecordBytes)
            {
                rejected += items;
                error = string.Create(CultureInfo.InvariantCulture, $"The {signal} of resource '{service ?? "(no service.name)"}' are {record.Value!.Value.Length} bytes; topic '{topic}' takes records of at most {config.MaxRecordBytes} bytes. Export in smaller batches.");
                continue;
            }

            accepted += items;
            records.Add(record);
        }

        if (records.Count > 0)
        {
            await producer.ProduceAsync(topic, records, cancellationToken).ConfigureAwait(false);
        }

        return new OtlpIngestResult(accepted, rejected, error is null ? null : $"{rejected} {itemName} rejected: {error}");
    }
}
