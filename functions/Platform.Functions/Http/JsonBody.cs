using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Platform.Functions.Http;

/// <summary>Reads small JSON bodies with a size limit checked before and while reading.</summary>
internal static class JsonBody
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static async Task<T> ReadAsync<T>(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
        where T : class
    {
        if (request.ContentLength > maxBytes)
        {
            throw new BadRequestException($"The body is larger than {maxBytes} bytes.");
        }

        using var buffer = new MemoryStream();
        byte[] chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw new BadRequestException($"The body is larger than {maxBytes} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            throw new BadRequestException("A JSON body is required.");
        }

        return JsonSerializer.Deserialize<T>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), Options)
            ?? throw new BadRequestException("The JSON body must be an object.");
    }
}
