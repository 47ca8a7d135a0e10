using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Platform.Core.Log;
using Platform.Core.Log.Batches;
using Platform.Core.Log.Topics;
using Platform.Core.Storage;

namespace Platform.Functions.Http;

/// <summary>The one mapping from exceptions to RFC 7807 problem responses, used by both hosts.</summary>
public static class Problems
{
    /// <summary>A problem response for a known failure; null for a bug (the host answers 500).</summary>
    public static IResult? TryMap(Exception exception) => exception switch
    {
        UnauthorizedException unauthorized => new WithHeader(Problem(StatusCodes.Status401Unauthorized, "Unauthorized", unauthorized.Message), "WWW-Authenticate", "Bearer"),
        ForbiddenException forbidden => Problem(StatusCodes.Status403Forbidden, "Forbidden", forbidden.Message),
        PayloadTooLargeException tooLarge => Problem(StatusCodes.Status413PayloadTooLarge, "Payload too large", tooLarge.Message),
        UnsupportedMediaTypeException media => Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", media.Message),
        BadRequestException bad => Problem(StatusCodes.Status400BadRequest, "Bad request", bad.Message),
        JsonException json => Problem(StatusCodes.Status400BadRequest, "Malformed JSON", json.Message),
        TopicNotFoundException notFound => Problem(StatusCodes.Status404NotFound, "Topic not found", notFound.Message),
        LogException log => FromLog(log),
        CorruptBatchException corrupt => Problem(StatusCodes.Status500InternalServerError, "Corrupt data in the log", corrupt.Message),
        _ when StorageErrors.IsThrottled(exception) => Busy("Storage is throttling; retry shortly.", TimeSpan.FromSeconds(2)),
        _ => null,
    };

    /// <summary>A problem response with the given status.</summary>
    public static IResult Problem(int status, string title, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: title);

    private static IResult FromLog(LogException ex) => ex.Kind switch
    {
        LogErrorKind.InvalidRequest => Problem(StatusCodes.Status400BadRequest, "Invalid request", ex.Message),
        LogErrorKind.TopicAlreadyExists => Problem(StatusCodes.Status409Conflict, "Topic exists", ex.Message),
        LogErrorKind.RecordTooLarge => Problem(StatusCodes.Status413PayloadTooLarge, "Too large", ex.Message),
        LogErrorKind.OffsetOutOfRange => Problem(StatusCodes.Status416RangeNotSatisfiable, "Offset out of range", ex.Message),
        LogErrorKind.OutOfOrderSequence => Problem(StatusCodes.Status409Conflict, "Out-of-order sequence", ex.Message),
        LogErrorKind.ProducerFenced => Problem(StatusCodes.Status409Conflict, "Producer fenced", ex.Message),
        LogErrorKind.Busy => Busy(ex.Message, ex.RetryAfter ?? TimeSpan.FromSeconds(1)),
        _ => Busy(ex.Message, TimeSpan.FromSeconds(1), StatusCodes.Status503ServiceUnavailable),
    };

    private static WithHeader Busy(string detail, TimeSpan retryAfter, int status = StatusCodes.Status429TooManyRequests) =>
        new WithHeader(Problem(status, status == 429 ? "Too many requests" : "Service unavailable", detail), "Retry-After", Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture));

    private sealed class WithHeader(IResult inner, string name, string value) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers[name] = value;
            return inner.ExecuteAsync(httpContext);
        }
    }
}
