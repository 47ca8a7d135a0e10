using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using Platform.Core.Ingestion;
using Platform.Core.Log;
using Platform.Core.Log.Appending;
using Platform.Core.Security;

namespace Platform.Functions.Http;

/// <summary>
/// The browser beacon: <c>navigator.sendBeacon("/api/beacon/views?key=…", JSON.stringify(event))</c> posts
/// <c>text/plain</c> with no headers of its own, so the key is in the query (one that may only produce to the topic)
/// and CORS is answered for the origins <c>Platform:Ingest:BeaconOrigins</c> allows. The body is one JSON object or an
/// array of them (at most 100, 64 KiB, the browsers' beacon limit); <c>?keyField=page</c> keys each record by a
/// top-level field. Answers 204.
/// </summary>
public sealed class BeaconFunctions(RequestAuthorizer auth, LogProducer producer, IOptions<IngestOptions> options, TimeProvider time)
{
    private const int MaxBytes = 64 * 1024;
    private const int MaxEvents = 100;

    [Function("Beacon")]
    public async Task<IResult> Post([HttpTrigger(AuthorizationLevel.Anonymous, "post", "options", Route = "beacon/{topic}")] HttpRequest request, string topic, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        string? origin = request.Headers.Origin;
        if (origin is not null)
        {
            IList<string> allowed = options.Value.BeaconOrigins;
            if (!allowed.Contains("*") && !allowed.Contains(origin, StringComparer.OrdinalIgnoreCase))
            {
                throw new ForbiddenException($"Origin '{origin}' may not send beacons: add it to Platform:Ingest:BeaconOrigins.");
            }

            request.HttpContext.Response.Headers.AccessControlAllowOrigin = origin;
            request.HttpContext.Response.Headers.Vary = "Origin";
        }

        if (HttpMethods.IsOptions(request.Method))
        {
            request.HttpContext.Response.Headers.AccessControlAllowMethods = "POST";
            request.HttpContext.Response.Headers.AccessControlAllowHeaders = "Content-Type";
            request.HttpContext.Response.Headers.AccessControlMaxAge = "86400";
            return Results.NoContent();
        }

        ApiPrincipal caller = await auth.AuthenticateQueryAsync(request, "key", cancellationToken);
        if (!caller.Allows(ApiOperation.Produce, topic)) throw new ForbiddenException($"This key may not produce to topic '{topic}'.");
        if (caller.Grants.Any(g => (g.Operations & ~ApiOperation.Produce) != 0))
        {
            // The key is in the page for anyone to read: one that may consume or administer is refused, not exposed further.
            throw new ForbiddenException("A beacon's key is public: use a key that may only produce (POST /api/keys with operations [\"produce\"] on the beacon's topics).");
        }
        string? mediaType = request.ContentType?.Split(';')[0].Trim();
        if (mediaType is not (null or "" or "text/plain" or "application/json"))
        {
            throw new UnsupportedMediaTypeException("A beacon is text/plain (what sendBeacon sends for a string) or application/json.");
        }

        byte[] body = await RequestBody.ReadAsync(request, MaxBytes, cancellationToken);
        string? keyField = request.Query.TryGetValue("keyField", out var k) ? k.ToString() : null;
        IReadOnlyList<ProduceRecord> records = Parse(body, keyField, time.GetUtcNow().ToUnixTimeMilliseconds());
        await producer.ProduceAsync(topic, records, cancellationToken);
        return Results.NoContent();
    }

    private static List<ProduceRecord> Parse(byte[] body, string? keyField, long now)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            throw new BadRequestException($"A beacon is a JSON object or an array of them: {e.Message}");
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            JsonElement[] events = root.ValueKind switch
            {
                JsonValueKind.Object => [root],
                JsonValueKind.Array when root.GetArrayLength() is > 0 and <= MaxEvents && root.EnumerateArray().All(e => e.ValueKind == JsonValueKind.Object) => [.. root.EnumerateArray()],
                _ => throw new BadRequestException($"A beacon is a JSON object or an array of 1 to {MaxEvents} objects."),
            };
            return [.. events.Select(e => new ProduceRecord
            {
                Key = keyField is null ? null
                    : e.TryGetProperty(keyField, out JsonElement key) && key.ValueKind is JsonValueKind.String or JsonValueKind.Number ? System.Text.Encoding.UTF8.GetBytes(key.ToString())
                    : throw new BadRequestException($"keyField '{keyField}' is not a text or number field of every event."),
                Value = System.Text.Encoding.UTF8.GetBytes(e.GetRawText()),
                Timestamp = now,
            })];
        }
    }
}
