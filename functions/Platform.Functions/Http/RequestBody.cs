using System.IO.Compression;
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
        Stream source = encoding switch
        {
            null or "identity" => request.Body,
            "gzip" => new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true),
            _ => throw new UnsupportedMediaTypeException($"Content-Encoding '{encoding}' is not supported; use gzip or none."),
        };

        try
        {
            string tooLarge = encoding == "gzip" ? $"The body decompresses to more than {maxBytes} bytes." : $"The body is larger than {maxBytes} bytes.";
            return await BoundedCopy.ReadAllAsync(source, maxBytes, tooLarge, cancellationToken, encoding == "gzip" ? null : request.ContentLength);
        }
        catch (InvalidDataException ex)
        {
            throw new BadRequestException($"The gzip body is malformed: {ex.Message}");
        }
        finally
        {
            if (!ReferenceEquals(source, request.Body))
            {
                await source.DisposeAsync();
            }
        }
    }
}
