using System.Buffers.Binary;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using Platform.Core.Ingestion;
using Platform.Core.Ingestion.Otlp;
using Platform.Core.Security;
using Platform.Functions.Http;

namespace Platform.Local.Otlp;

/// <summary>
/// Stands before the OTLP/gRPC services: checks the key before a byte of the message is read, then reads the one
/// message itself with the size limit enforced on its decompressed bytes (grpc-dotnet checks only the compressed
/// frame) and its <see cref="OtlpLimits"/> checked on the wire, and hands grpc-dotnet the plain message. An
/// unauthenticated gzip bomb costs a header lookup; an authenticated one, at most the limit.
/// </summary>
internal sealed class OtlpGrpcGate(RequestAuthorizer auth, Microsoft.Extensions.Options.IOptions<IngestOptions> ingest, Microsoft.Extensions.Options.IOptions<OtlpOptions> otlp)
{
    private const int FrameHeader = 5;

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (Signal(context.GetEndpoint()?.Metadata.GetMetadata<Grpc.AspNetCore.Server.GrpcMethodMetadata>()) is not { } signal)
        {
            await next(context);
            return;
        }

        try
        {
            await auth.RequireAsync(context.Request, ApiOperation.Produce, signal.Topic, context.RequestAborted);
            int max = ingest.Value.MaxRequestBytes;
            byte[] message = await ReadMessageAsync(context.Request, max, context.RequestAborted);
            signal.Check(message, OtlpLimits.For(max));

            byte[] frame = new byte[FrameHeader + message.Length];
            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Length);
            message.CopyTo(frame, FrameHeader);
            context.Request.Headers.Remove("grpc-encoding");
            context.Request.Body = new MemoryStream(frame, writable: false);
        }
        catch (Exception ex) when (OtlpGrpcCall.Status(ex) is { } status)
        {
            // Trailers-only: the gRPC way of failing before any message.
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/grpc";
            context.Response.Headers["grpc-status"] = ((int)status.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.Response.Headers["grpc-message"] = Uri.EscapeDataString(status.Detail);
            return;
        }

        await next(context);
    }

    // Every method of the OTLP services (as routed, whatever the path's case or form) passes the gate.
    private (string Topic, Action<byte[], OtlpLimits> Check)? Signal(Grpc.AspNetCore.Server.GrpcMethodMetadata? method)
    {
        OtlpOptions o = otlp.Value;
        return method?.ServiceType switch
        {
            { } t when t == typeof(OtlpLogsGrpcService) => (o.LogsTopic, (m, l) => OtlpRequest.Check(ExportLogsServiceRequest.Descriptor, m, l)),
            { } t when t == typeof(OtlpMetricsGrpcService) => (o.MetricsTopic, (m, l) => OtlpRequest.Check(ExportMetricsServiceRequest.Descriptor, m, l)),
            { } t when t == typeof(OtlpTraceGrpcService) => (o.TracesTopic, (m, l) => OtlpRequest.Check(ExportTraceServiceRequest.Descriptor, m, l)),
            _ => null,
        };
    }

    private static async Task<byte[]> ReadMessageAsync(HttpRequest request, int max, CancellationToken cancellationToken)
    {
        byte[] header = new byte[FrameHeader];
        await ReadExactlyAsync(request.Body, header, cancellationToken);
        uint length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(1));
        if (length > max)
        {
            throw new PayloadTooLargeException($"The message is {length} bytes; at most {max} are accepted.");
        }

        // Read as it arrives, never allocated on the frame header's word alone.
        byte[] framed = await ReadFrameAsync(request.Body, (int)length, cancellationToken);
        if (header[0] == 0)
        {
            return framed;
        }

        string encoding = request.Headers["grpc-encoding"].ToString();
        if (!string.Equals(encoding, "gzip", StringComparison.OrdinalIgnoreCase))
        {
            throw new UnsupportedMediaTypeException($"grpc-encoding '{encoding}' is not supported; use gzip or none.");
        }

        return await BoundedCopy.ReadGzipAsync(new MemoryStream(framed, writable: false), max, "message", cancellationToken);
    }

    private static async Task<byte[]> ReadFrameAsync(Stream body, int length, CancellationToken cancellationToken)
    {
        using var frame = new MemoryStream(Math.Min(length, 64 * 1024));
        byte[] chunk = new byte[Math.Min(length, 64 * 1024)];
        while (frame.Length < length)
        {
            int read = await body.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, length - frame.Length)), cancellationToken);
            if (read == 0)
            {
                throw new BadRequestException("The request ends inside its gRPC message (truncated).");
            }

            frame.Write(chunk, 0, read);
        }

        return frame.Length == frame.Capacity ? frame.GetBuffer() : frame.ToArray();
    }

    private static async Task ReadExactlyAsync(Stream body, byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            await body.ReadExactlyAsync(buffer, cancellationToken);
        }
        catch (EndOfStreamException)
        {
            throw new BadRequestException("The request ends inside its gRPC message (truncated).");
        }
    }
}
