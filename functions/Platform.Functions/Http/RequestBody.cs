using Microsoft.AspNetCore.Http;
using Platform.Core.Ingestion;

namespace Platform.Functions.Http;

/// <summary>Reads a request body whole, gzip included, with the size limit checked before and after decompression.</summary>
internal static class RequestBody
{
    public static async Task<byte[]> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            throw new PayloadTooLargeException($"The body is {request.ContentLength} bytes; at most {maxBytes} are accepted.");
        }

        string? encoding = request.Headers.ContentEncoding.ToString() is { Length: > 0 } e ? e.Trim().ToLowerInvariant() : null;
        return encoding switch
        {
            null or "identity" => await BoundedCopy.ReadAllAsync(request.Body, maxBytes, $"The body is larger than {maxBytes} bytes.", cancellationToken, request.ContentLength),
            "gzip" => await BoundedCopy.ReadGzipAsync(request.Body, maxBytes, "body", cancellationToken),
            _ => throw new UnsupportedMediaTypeException($"Content-Encoding '{encoding}' is not supported; use gzip or none."),
        };
    }

    /// <summary>A UTF-8 text body (a rule file, a routing configuration) of one of the media types the route takes.</summary>
    public static async Task<string> ReadTextAsync(HttpRequest request, IReadOnlyCollection<string> mediaTypes, int maxBytes, string what, CancellationToken cancellationToken)
    {
        string? mediaType = request.ContentType?.Split(';')[0].Trim();
        if (mediaType is null || !mediaTypes.Contains(mediaType, StringComparer.OrdinalIgnoreCase))
        {
            throw new UnsupportedMediaTypeException($"{what}: Content-Type {string.Join(" or ", mediaTypes)}.");
        }

        byte[] body = await ReadAsync(request, maxBytes, cancellationToken);
        try
        {
            return new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body);
        }
        catch (System.Text.DecoderFallbackException)
        {
            throw new BadRequestException($"{what}: the body is not valid UTF-8.");
        }
    }
}
