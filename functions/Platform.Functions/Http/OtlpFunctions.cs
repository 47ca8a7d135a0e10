using System.Net.Http.Headers;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using Platform.Core.Ingestion;
using Platform.Core.Ingestion.Otlp;
using Platform.Core.Security;

namespace Platform.Functions.Http;

/// <summary>
/// OTLP/HTTP receivers (what the Collector's otlp receiver does): protobuf or JSON, gzip, answers in the
/// request's encoding with partial success, errors as google.rpc.Status, 429/503 with Retry-After.
/// </summary>
public sealed partial class OtlpFunctions(RequestAuthorizer auth, OtlpIngestor ingestor, IOptions<IngestOptions> limits, IOptions<OtlpOptions> otlp, ILogger<OtlpFunctions> logger)
{
    private const string Protobuf = "application/x-protobuf";
    private const string Json = "application/json";

    private OtlpLimits Limits => OtlpLimits.For(limits.Value.MaxRequestBytes);

    [Function("OtlpLogs")]
    public Task<IResult> Logs([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/logs")] HttpRequest request, CancellationToken cancellationToken) =>
        HandleAsync(request, otlp.Value.LogsTopic, async (body, json) =>
        {
            var export = OtlpRequest.Parse(ExportLogsServiceRequest.Parser, body, json, Limits);
            OtlpIngestResult result = await ingestor.IngestAsync(export, cancellationToken);
            return new ExportLogsServiceResponse { PartialSuccess = result.Rejected == 0 ? null : new ExportLogsPartialSuccess { RejectedLogRecords = result.Rejected, ErrorMessage = result.ErrorMessage } };
        }, cancellationToken);

    [Function("OtlpMetrics")]
    public Task<IResult> Metrics([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/metrics")] HttpRequest request, CancellationToken cancellationToken) =>
        HandleAsync(request, otlp.Value.MetricsTopic, async (body, json) =>
        {
            var export = OtlpRequest.Parse(ExportMetricsServiceRequest.Parser, body, json, Limits);
            OtlpIngestResult result = await ingestor.IngestAsync(export, cancellationToken);
            return new ExportMetricsServiceResponse { PartialSuccess = result.Rejected == 0 ? null : new ExportMetricsPartialSuccess { RejectedDataPoints = result.Rejected, ErrorMessage = result.ErrorMessage } };
        }, cancellationToken);

    [Function("OtlpTraces")]
    public Task<IResult> Traces([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/traces")] HttpRequest request, CancellationToken cancellationToken) =>
        HandleAsync(request, otlp.Value.TracesTopic, async (body, json) =>
        {
            var export = OtlpRequest.Parse(ExportTraceServiceRequest.Parser, body, json, Limits);
            OtlpIngestResult result = await ingestor.IngestAsync(export, cancellationToken);
            return new ExportTraceServiceResponse { PartialSuccess = result.Rejected == 0 ? null : new ExportTracePartialSuccess { RejectedSpans = result.Rejected, ErrorMessage = result.ErrorMessage } };
        }, cancellationToken);

    private async Task<IResult> HandleAsync(HttpRequest request, string topic, Func<byte[], bool, Task<IMessage>> ingest, CancellationToken cancellationToken)
    {
        string mediaType = MediaTypeHeaderValue.TryParse(request.ContentType, out MediaTypeHeaderValue? parsed) ? parsed.MediaType?.ToLowerInvariant() ?? string.Empty : string.Empty;
        bool json = mediaType == Json;
        try
        {
            if (!json && mediaType != Protobuf)
            {
                throw new UnsupportedMediaTypeException($"Content-Type '{request.ContentType}' is not OTLP: use {Protobuf} or {Json}.");
            }

            await auth.RequireAsync(request, ApiOperation.Produce, topic, cancellationToken);
            byte[] body = await RequestBody.ReadAsync(request, limits.Value.MaxRequestBytes, cancellationToken);
            IMessage response = await ingest(body, json);
            return new OtlpResult(StatusCodes.Status200OK, response, json, null);
        }
        catch (Exception ex) when (HttpFailure.Classify(ex) is { } failure)
        {
            return new OtlpResult(failure.Status, new Google.Rpc.Status { Code = GrpcCode(failure.Status), Message = failure.Detail }, json, failure);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A bug, not storage (Classify knows storage's failures): 500, which exporters do not retry forever.
            LogExportFailed(logger, ex, topic);
            var failure = new HttpFailure(StatusCodes.Status500InternalServerError, "Internal error", "The export failed on an internal error; it was not stored.");
            return new OtlpResult(failure.Status, new Google.Rpc.Status { Code = GrpcCode(failure.Status), Message = failure.Detail }, json, failure);
        }
    }

    // https://github.com/grpc/grpc/blob/master/doc/statuscodes.md, as the OTLP/HTTP spec asks for in Status.code.
    private static int GrpcCode(int httpStatus) => httpStatus switch
    {
        400 or 413 or 415 or 416 => 3,
        401 => 16,
        403 => 7,
        404 => 5,
        409 => 6,
        429 => 8,
        503 => 14,
        _ => 13,
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "OTLP export to {Topic} failed")]
    private static partial void LogExportFailed(ILogger logger, Exception exception, string topic);

    private sealed class OtlpResult(int status, IMessage body, bool json, HttpFailure? failure) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            HttpResponse response = httpContext.Response;
            response.StatusCode = status;
            if (failure is not null)
            {
                Problems.AddHeaders(response, failure);
            }

            if (json)
            {
                response.ContentType = Json;
                await response.WriteAsync(OtlpJson.Format(body), httpContext.RequestAborted);
            }
            else
            {
                response.ContentType = Protobuf;
                await response.Body.WriteAsync(body.ToByteArray(), httpContext.RequestAborted);
            }
        }
    }
}
