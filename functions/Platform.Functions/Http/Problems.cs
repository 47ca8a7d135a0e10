using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Platform.Functions.Http;

/// <summary>Renders failures as RFC 7807 problem responses, used by both hosts.</summary>
public static class Problems
{
    /// <summary>A problem response for a known failure; null for a bug (the host answers 500).</summary>
    public static IResult? TryMap(Exception exception) => HttpFailure.Classify(exception) is { } failure ? From(failure) : null;

    /// <summary>A problem response with the given status.</summary>
    public static IResult Problem(int status, string title, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: title);

    /// <summary>The problem response of a failure, with Retry-After and WWW-Authenticate where they belong.</summary>
    public static IResult From(HttpFailure failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return new WithHeaders(Problem(failure.Status, failure.Title, failure.Detail), failure);
    }

    /// <summary>Sets the headers a failure calls for.</summary>
    public static void AddHeaders(HttpResponse response, HttpFailure failure)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(failure);
        if (failure.RetryAfter is { } retry)
        {
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        if (failure.Status == StatusCodes.Status401Unauthorized)
        {
            response.Headers.WWWAuthenticate = "Bearer";
        }
    }

    private sealed class WithHeaders(IResult inner, HttpFailure failure) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            AddHeaders(httpContext.Response, failure);
            return inner.ExecuteAsync(httpContext);
        }
    }
}
