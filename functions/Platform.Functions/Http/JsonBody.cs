using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Platform.Core.Ingestion;

namespace Platform.Functions.Http;

/// <summary>Reads small JSON bodies with a size limit.</summary>
internal static class JsonBody
{
    // Two values for one field are ambiguous: refused, not last-one-wins.
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { AllowDuplicateProperties = false };

    public static async Task<T> ReadAsync<T>(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
        where T : class
    {
        if (!System.Net.Http.Headers.MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || !string.Equals(type.MediaType, "application/json", StringComparison.OrdinalIgnoreCase))
        {
            throw new UnsupportedMediaTypeException($"Content-Type '{request.ContentType}' is not accepted here: send application/json.");
        }

        byte[] body = await RequestBody.ReadAsync(request, maxBytes, cancellationToken);
        if (body.Length == 0)
        {
            throw new BadRequestException("A JSON body is required.");
        }

        return JsonSerializer.Deserialize<T>(body, Options)
            ?? throw new BadRequestException("The JSON body must be an object.");
    }
}
