using Grpc.Core;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using Platform.Core.Ingestion.Otlp;
using Platform.Functions.Http;

namespace Platform.Local.Otlp;

/// <summary>OTLP/gRPC logs (local host only: Azure Functions serves HTTP, so the cloud offers OTLP/HTTP).</summary>
internal sealed class OtlpLogsGrpcService(OtlpIngestor ingestor) : LogsService.LogsServiceBase
{
    public override Task<ExportLogsServiceResponse> Export(ExportLogsServiceRequest request, ServerCallContext context) =>
        OtlpGrpcCall.RunAsync(context, async ct =>
        {
            OtlpIngestResult r = await ingestor.IngestAsync(request, ct);
            return new ExportLogsServiceResponse { PartialSuccess = r.Rejected == 0 ? null : new ExportLogsPartialSuccess { RejectedLogRecords = r.Rejected, ErrorMessage = r.ErrorMessage } };
        });
}

/// <summary>OTLP/gRPC metrics.</summary>
internal sealed class OtlpMetricsGrpcService(OtlpIngestor ingestor) : MetricsService.MetricsServiceBase
{
    public override Task<ExportMetricsServiceResponse> Export(ExportMetricsServiceRequest request, ServerCallContext context) =>
        OtlpGrpcCall.RunAsync(context, async ct =>
        {
            OtlpIngestResult r = await ingestor.IngestAsync(request, ct);
            return new ExportMetricsServiceResponse { PartialSuccess = r.Rejected == 0 ? null : new ExportMetricsPartialSuccess { RejectedDataPoints = r.Rejected, ErrorMessage = r.ErrorMessage } };
        });
}

/// <summary>OTLP/gRPC traces.</summary>
internal sealed class OtlpTraceGrpcService(OtlpIngestor ingestor) : TraceService.TraceServiceBase
{
    public override Task<ExportTraceServiceResponse> Export(ExportTraceServiceRequest request, ServerCallContext context) =>
        OtlpGrpcCall.RunAsync(context, async ct =>
        {
            OtlpIngestResult r = await ingestor.IngestAsync(request, ct);
            return new ExportTraceServiceResponse { PartialSuccess = r.Rejected == 0 ? null : new ExportTracePartialSuccess { RejectedSpans = r.Rejected, ErrorMessage = r.ErrorMessage } };
        });
}

/// <summary>
/// Failure mapping shared by the OTLP/gRPC services (the same meanings as over HTTP). The key was checked, and the
/// message's size and cost, by <see cref="OtlpGrpcGate"/> before the message was read.
/// </summary>
internal static class OtlpGrpcCall
{
    public static async Task<T> RunAsync<T>(ServerCallContext context, Func<CancellationToken, Task<T>> body)
    {
        try
        {
            return await body(context.CancellationToken);
        }
        catch (Exception ex) when (Status(ex) is { } status)
        {
            var metadata = new Metadata();
            if (HttpFailure.Classify(ex)?.RetryAfter is { } retry)
            {
                // OTLP/gRPC's throttling hint travels as RetryInfo; the seconds are also given plainly.
                metadata.Add("retry-after", ((int)Math.Ceiling(retry.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            throw new RpcException(status, metadata);
        }
    }

    /// <summary>The gRPC status of a known failure; null for a bug.</summary>
    public static Status? Status(Exception exception) =>
        HttpFailure.Classify(exception) is { } failure ? new Status(Code(failure.Status), failure.Detail) : null;

    private static StatusCode Code(int status) => status switch
    {
        400 or 413 or 415 => StatusCode.InvalidArgument,
        401 => StatusCode.Unauthenticated,
        403 => StatusCode.PermissionDenied,
        404 => StatusCode.NotFound,
        429 => StatusCode.ResourceExhausted,
        503 => StatusCode.Unavailable,
        _ => StatusCode.Internal,
    };
}
