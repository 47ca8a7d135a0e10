using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using Platform.Core.Ingestion;
using Platform.Core.Log;
using Platform.Core.Log.Appending;
using Platform.Core.Log.Reading;
using Platform.Core.Security;
using Platform.Core.Ingestion.Http;

namespace Platform.Functions.Http;

/// <summary>The records API (the Kafka REST Proxy's job): produce, and consume from an offset or a time.</summary>
public sealed class RecordFunctions(RequestAuthorizer auth, LogProducer producer, LogReader reader, WaitingReader waiting, IOptions<IngestOptions> options)
{
    [Function("ProduceRecords")]
    public async Task<IResult> Produce([HttpTrigger(AuthorizationLevel.Function, "post", Route = "topics/{topic}/records")] HttpRequest request, string topic, CancellationToken cancellationToken)
    {
        ApiPrincipal caller = await auth.RequireAsync(request, ApiOperation.Produce, topic, cancellationToken);
        IngestOptions limits = options.Value;
        byte[] body = await RequestBody.ReadAsync(request, limits.MaxRequestBytes, cancellationToken);
        int? rawPartition = request.Query.TryGetValue("partition", out var p) ? ParseInt(p, "partition") : null;
        IReadOnlyList<ProduceRecord> records = RecordsBody.Parse(request.ContentType, body, RawKey(request), rawPartition, limits.MaxRecordsPerRequest);

        string? idempotencyKey = request.Headers["Idempotency-Key"];
        if (idempotencyKey is { Length: > 200 })
        {
            throw new BadRequestException("Idempotency-Key must be at most 200 characters.");
        }

        ProduceResult result;
        try
        {
            result = string.IsNullOrEmpty(idempotencyKey)
                ? await producer.ProduceAsync(topic, records, cancellationToken)
                : await producer.ProduceIdempotentAsync(topic, records, idempotencyKey, scope: caller.KeyId, cancellationToken);
        }
        catch (PartialProduceException partial)
        {
            // Storage failed after part of the request was durable: say, per record, what landed and what to send again.
            HttpFailure failure = HttpFailure.Classify(partial)!;
            Problems.AddHeaders(request.HttpContext.Response, failure);
            return Results.Problem(detail: failure.Detail, statusCode: failure.Status, title: failure.Title, extensions: new Dictionary<string, object?>
            {
                ["records"] = partial.Records.Select(r => r.Offset is { } offset
                    ? (object)new { partition = r.Partition, offset }
                    : new { partition = r.Partition, error = r.Error }).ToList(),
            });
        }

        if (result.Duplicate)
        {
            request.HttpContext.Response.Headers["Idempotent-Replayed"] = "true";
        }

        return Results.Ok(new { records = result.Records.Select(r => new { partition = r.Partition, offset = r.Offset }) });
    }

    // No ?key= is a keyless record (the platform picks its partition); ?key= with nothing is the empty key, as in Kafka.
    private static string? RawKey(HttpRequest request) => request.Query.TryGetValue("key", out var key) ? key.ToString() : null;

    [Function("ConsumeRecords")]
    public async Task<IResult> Consume([HttpTrigger(AuthorizationLevel.Function, "get", Route = "topics/{topic}/partitions/{partition}/records")] HttpRequest request, string topic, string partition, CancellationToken cancellationToken)
    {
        int number = int.TryParse(partition, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int parsed)
            ? parsed
            : throw new BadRequestException($"partition '{partition}' must be a partition number (0 or more).");
        await auth.RequireAsync(request, ApiOperation.Consume, topic, cancellationToken);
        IQueryCollection q = request.Query;
        int maxBytes = q.TryGetValue("maxBytes", out var mb) ? Math.Clamp(ParseInt(mb, "maxBytes"), 1, 16 * 1024 * 1024) : LogReader.DefaultMaxBytes;
        int maxRecords = q.TryGetValue("maxRecords", out var mr) ? Math.Clamp(ParseInt(mr, "maxRecords"), 1, 10_000) : 500;
        TimeSpan wait = q.TryGetValue("waitMs", out var w) ? TimeSpan.FromMilliseconds(Math.Clamp(ParseInt(w, "waitMs"), 0, (int)options.Value.MaxConsumeWait.TotalMilliseconds)) : TimeSpan.Zero;
        string format = q.TryGetValue("format", out var f) ? f.ToString().ToLowerInvariant() : "text";
        if (format is not ("text" or "base64" or "json"))
        {
            throw new BadRequestException("format must be text, base64 or json.");
        }

        long offset = await StartOffsetAsync(q, topic, number, cancellationToken);
        FetchResult fetch = await waiting.FetchAsync(topic, number, offset, maxBytes, maxRecords, wait, cancellationToken);

        return Results.Ok(new
        {
            topic,
            partition = number,
            records = fetch.Records.Select(r => RecordView.Of(r, format)),
            nextOffset = fetch.NextOffset,
            logEndOffset = fetch.LogEndOffset,
        });
    }

    private async Task<long> StartOffsetAsync(IQueryCollection q, string topic, int partition, CancellationToken cancellationToken)
    {
        if (q.TryGetValue("timestamp", out var ts))
        {
            long when = TimeValue.ParseUnixMilliseconds(ts, "timestamp");
            return await reader.FindOffsetByTimeAsync(topic, partition, when, cancellationToken)
                ?? (await reader.GetOffsetsAsync(topic, partition, cancellationToken)).Latest;
        }

        string? offset = q["offset"];
        return offset switch
        {
            null or "" or "earliest" => (await reader.GetOffsetsAsync(topic, partition, cancellationToken)).Earliest,
            "latest" => (await reader.GetOffsetsAsync(topic, partition, cancellationToken)).Latest,
            _ => long.TryParse(offset, NumberStyles.None, CultureInfo.InvariantCulture, out long o) ? o : throw new BadRequestException("offset must be a number, earliest or latest."),
        };
    }

    private static int ParseInt(string? value, string name) =>
        int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n) ? n : throw new BadRequestException($"{name} must be an integer.");
}
