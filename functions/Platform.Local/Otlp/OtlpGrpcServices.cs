using Grpc.Core;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using Platform.Core.Ingestion.Otlp;
using Platform.Core.Security;
using Platform.Functions.Http;

namespace Platform.Local.Otlp;

/// <summary>OTLP/gRPC logs (local host only: Azure Functions serves HTTP, so the cloud offers OTLP/HTTP).</summary>
internal sealed class OtlpLogsGrpcService(OtlpGrpcCall call, OtlpIngestor ingestor, Microsoft.Extensions.Options.IOptions<OtlpOptions> options) : LogsService.LogsServiceBase
{
    public override Task<ExportLogsServiceResponse> Export(ExportLogsServiceRequest request, ServerCallContext context) =>
        call.RunAsync(context, options.Value.LogsTopic, async ct =>
        {
            OtlpIngestResult r = await ingestor.IngestAsync(request, ct);
            return new ExportLogsServiceResponse { PartialSuccess = r.Rejected == 0 ? null : new ExportLogsPartialSuccess { RejectedLogRecords = r.Rejected, ErrorMessage = r.ErrorMessage } };
        });
}

/// <summary>OTLP/gRPC metrics.</summary>
internal sealed class OtlpMetricsGrpcService(OtlpGrpcCall call, OtlpIngestor ingestor, Microsoft.Extensions.Options.IOptions<OtlpOptions> options) : MetricsService.MetricsServiceBase
{
    public override Task<ExportMetricsServiceResponse> Export(ExportMetricsServiceRequest request, ServerCallContext context) =>
        call.RunAsync(context, options.Value.MetricsTopic, async ct =>
        {
            OtlpIngestResult r = await ingestor.IngestAsync(request, ct);
            return new ExportMetricsServiceResponse { PartialSuccess = r.Rejected == 0 ? null : new ExportMetricsPartialSuccess { RejectedDataPoints = r.Rejected, ErrorMessage = r.ErrorMessage } };
        });
}

/// <summary>OTLP/gRPC traces.</summary>
internal sealed class OtlpTraceGrpcService(OtlpGrpcCall call, OtlpIngestor ingestor, Microsoft.Extensions.Options.IOptions<OtlpOptions> options) : TraceService.TraceServiceBase
{
    public override Task<ExportTraceServiceResponse> Export(ExportTraceServiceRequest request, ServerCallContext context) =>
        call.RunAsync(context, options.Value.TracesTopic, async ct =>
        {
            OtlpIngestResult r = await ingestor.IngestAsync(request, ct);
            return new ExportTraceServiceResponse { PartialSuccess = r.Rejected == 0 ? null : new ExportTracePartialSuccess { RejectedSpans = r.Rejected, ErrorMessage = r.ErrorMessage } };
        });
}

/// <summary>Authentication and failure mapping shared by the OTLP/gRPC services (the same meanings as over HTTP).</summary>
internal sealed class OtlpGrpcCall(RequestAuthorizer auth)
{
    public async Task<T> RunAsync<T>(ServerCallContext context, string topic, Func<CancellationToken, Task<T>> body)
    {
        try
        {
            await auth.RequireAsync(context.GetHttpContext().Request, ApiOperation.Produce, topic, context.CancellationToken);
            return await body(context.CancellationToken);
        }
        catch (Exception ex) when (HttpFailure.Classify(ex) is { } failure)
        {
            var metadata = new Metadata();
            if (failure.RetryAfter is { } retry)
            {
                // OTLP/gRPC's throttling hint travels as RetryInfo; the seconds are also given plainly.
                metadata.Add("retry-after", ((int)Math.Ceiling(retry.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            throw new RpcException(new Status(Code(failure.Status), failure.Detail), metadata);
        }
    }

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
