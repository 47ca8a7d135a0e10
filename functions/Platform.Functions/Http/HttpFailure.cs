using Microsoft.AspNetCore.Http;
using Platform.Core.Ingestion.Otlp;
using Platform.Core.Log;
using Platform.Core.Log.Appending;
using Platform.Core.Log.Batches;
using Platform.Core.Log.Topics;
using Platform.Core.Storage;
using Platform.Core.Ingestion;

namespace Platform.Functions.Http;

/// <summary>What a failure means over HTTP; rendered as problem+json or as an OTLP status.</summary>
public sealed record HttpFailure(int Status, string Title, string Detail, TimeSpan? RetryAfter = null)
{
    /// <summary>The HTTP meaning of a known failure; null for a bug (500).</summary>
    public static HttpFailure? Classify(Exception exception) => exception switch
    {
        UnauthorizedException e => new(StatusCodes.Status401Unauthorized, "Unauthorized", e.Message),
        ForbiddenException e => new(StatusCodes.Status403Forbidden, "Forbidden", e.Message),
        PayloadTooLargeException e => new(StatusCodes.Status413PayloadTooLarge, "Payload too large", e.Message),
        UnsupportedMediaTypeException e => new(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", e.Message),
        BadRequestException e => new(StatusCodes.Status400BadRequest, "Bad request", e.Message),
        Platform.Core.Alerting.Rules.RuleFileException e => new(StatusCodes.Status400BadRequest, "Invalid rule group", e.Message),
        Platform.Core.Streams.Definition.StreamJobException e => new(StatusCodes.Status400BadRequest, "Invalid job", e.Message),
        Platform.Core.Streams.Running.StreamJobNotFoundException e => new(StatusCodes.Status404NotFound, "Job not found", e.Message),
        Platform.Core.Streams.Running.StreamJobConflictException e => new(StatusCodes.Status409Conflict, "Job exists", e.Message),
        MalformedOtlpException e => new(StatusCodes.Status400BadRequest, "Malformed OTLP request", e.Message),
        Google.Protobuf.InvalidProtocolBufferException e => new(StatusCodes.Status400BadRequest, "Malformed protobuf", e.Message),
        System.Text.Json.JsonException e => new(StatusCodes.Status400BadRequest, "Malformed JSON", e.Message),
        // The client's body broke off or lied about its length: Kestrel says so with an IOException, never storage's.
        BadHttpRequestException e => new(e.StatusCode, e.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Payload too large" : "Bad request", e.Message),
        TopicNotFoundException e => new(StatusCodes.Status404NotFound, "Topic not found", e.Message),
        LogException e => FromLog(e),
        PartialProduceException e => new(StatusCodes.Status503ServiceUnavailable, "Partly appended", e.Message, TimeSpan.FromSeconds(1)),
        SegmentMissingException => new(StatusCodes.Status503ServiceUnavailable, "Service unavailable", "Retention deleted a segment while it was being read; retry.", TimeSpan.FromSeconds(1)),
        CorruptBatchException e => new(StatusCodes.Status500InternalServerError, "Corrupt data in the log", e.Message),
        _ when StorageErrors.IsThrottled(exception) => new(StatusCodes.Status503ServiceUnavailable, "Service unavailable", "Storage is throttling; retry shortly.", TimeSpan.FromSeconds(2)),
        _ when StorageErrors.IsTransient(exception, CancellationToken.None) => new(StatusCodes.Status503ServiceUnavailable, "Service unavailable", "Storage did not answer in time or failed; nothing was acknowledged; retry shortly.", TimeSpan.FromSeconds(2)),
        _ => null,
    };

    private static HttpFailure FromLog(LogException e) => e.Kind switch
    {
        LogErrorKind.InvalidRequest => new(StatusCodes.Status400BadRequest, "Invalid request", e.Message),
        LogErrorKind.TopicAlreadyExists => new(StatusCodes.Status409Conflict, "Topic exists", e.Message),
        LogErrorKind.RecordTooLarge => new(StatusCodes.Status413PayloadTooLarge, "Too large", e.Message),
        LogErrorKind.OffsetOutOfRange => new(StatusCodes.Status416RangeNotSatisfiable, "Offset out of range", e.Message),
        LogErrorKind.OutOfOrderSequence => new(StatusCodes.Status409Conflict, "Out-of-order sequence", e.Message),
        LogErrorKind.ProducerFenced => new(StatusCodes.Status409Conflict, "Producer fenced", e.Message),
        LogErrorKind.Busy => new(StatusCodes.Status429TooManyRequests, "Too many requests", e.Message, e.RetryAfter ?? TimeSpan.FromSeconds(1)),
        _ => new(StatusCodes.Status503ServiceUnavailable, "Service unavailable", e.Message, TimeSpan.FromSeconds(1)),
    };
}
