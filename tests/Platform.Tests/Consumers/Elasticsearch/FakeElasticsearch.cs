using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Platform.Tests.Consumers.Elasticsearch;

/// <summary>
/// An HTTP server that speaks Elasticsearch's documented <c>_bulk</c> protocol: NDJSON action and source lines,
/// <c>create</c> refusing an existing id with 409 version_conflict_engine_exception, per-item status and error,
/// <c>errors</c> set when any item failed, and the X-Elastic-Product header the official client checks.
/// <see cref="Refuse"/> scripts item failures (429 storms, mapping errors).
/// </summary>
public sealed class FakeElasticsearch : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _attempts = new();

    private FakeElasticsearch(WebApplication app) => _app = app;

    public ConcurrentDictionary<(string Index, string Id), JsonObject> Documents { get; } = new();

    /// <summary>Given index, id, source and the attempt number of this id, an error (status, type, reason) or null to accept.</summary>
    public Func<string, string, JsonObject, int, (int Status, string Type, string Reason)?> Refuse { get; set; } = (_, _, _, _) => null;

    /// <summary>Given the sources of one _bulk call, an error for the whole call (status, type, reason) or null to go on per item.</summary>
    public Func<IReadOnlyList<JsonObject>, (int Status, string Type, string Reason)?> RefuseBulk { get; set; } = _ => null;

    private int _bulkRequests;

    public int BulkRequests => Volatile.Read(ref _bulkRequests);

    public Uri Url => new(_app.Urls.First());

    /// <summary>Answer 200 with an empty item list (a broken proxy, a truncated answer).</summary>
    public bool DropItems { get; set; }

    public static async Task<FakeElasticsearch> StartAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddRequestDecompression(); // the client gzips bodies, as Elasticsearch accepts
        WebApplication app = builder.Build();
        app.UseRequestDecompression();
        var fake = new FakeElasticsearch(app);
        app.Use((context, next) =>
        {
            context.Response.Headers["X-Elastic-Product"] = "Elasticsearch";
            return next(context);
        });
        app.MapGet("/", () => Results.Json(new { name = "fake", cluster_name = "fake", version = new { number = "9.0.0" }, tagline = "You Know, for Search" }));
        app.MapPost("/_bulk", (Delegate)fake.BulkAsync);
        await app.StartAsync();
        return fake;
    }

    private async Task<IResult> BulkAsync(HttpContext context)
    {
        Interlocked.Increment(ref _bulkRequests);
        using var reader = new StreamReader(context.Request.Body);
        string[] lines = (await reader.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (RefuseBulk([.. lines.Where((_, n) => n % 2 == 1).Select(l => JsonNode.Parse(l)!.AsObject())]) is { } whole)
        {
            // Elasticsearch's answer to a request it refuses as a whole: no items, the error and the status.
            var error = new JsonObject { ["type"] = whole.Type, ["reason"] = whole.Reason };
            return Results.Json(new JsonObject { ["error"] = new JsonObject { ["root_cause"] = new JsonArray(error.DeepClone()), ["type"] = whole.Type, ["reason"] = whole.Reason }, ["status"] = whole.Status }, statusCode: whole.Status);
        }

        var items = new JsonArray();
        bool errors = false;
        for (int i = 0; i + 1 < lines.Length; i += 2)
        {
            JsonObject action = JsonNode.Parse(lines[i])!.AsObject();
            if (!action.TryGetPropertyValue("create", out JsonNode? meta) || meta is null)
            {
                return Results.BadRequest(new { error = new { type = "illegal_argument_exception", reason = "this fake takes create actions only (data streams need them)" }, status = 400 });
            }

            string index = meta["_index"]!.GetValue<string>();
            string id = meta["_id"]!.GetValue<string>();
            JsonObject source = JsonNode.Parse(lines[i + 1])!.AsObject();
            int attempt = _attempts.AddOrUpdate($"{index}/{id}", 1, (_, n) => n + 1);
            JsonObject result;
            if (Refuse(index, id, source, attempt) is { } refusal)
            {
                result = Error(index, id, refusal.Status, refusal.Type, refusal.Reason);
            }
            else if (!Documents.TryAdd((index, id), source))
            {
                result = Error(index, id, 409, "version_conflict_engine_exception", $"[{id}]: version conflict, document already exists (current version [1])");
            }
            else
            {
                result = new JsonObject { ["_index"] = index, ["_id"] = id, ["_version"] = 1, ["result"] = "created", ["status"] = 201, ["_seq_no"] = Documents.Count, ["_primary_term"] = 1, ["_shards"] = new JsonObject { ["total"] = 1, ["successful"] = 1, ["failed"] = 0 } };
            }

            errors |= result["status"]!.GetValue<int>() >= 300;
            items.Add(new JsonObject { ["create"] = result });
        }

        return Results.Text(new JsonObject { ["took"] = 1, ["errors"] = errors, ["items"] = DropItems ? new JsonArray() : items }.ToJsonString(), "application/json");
    }

    private static JsonObject Error(string index, string id, int status, string type, string reason) =>
        new() { ["_index"] = index, ["_id"] = id, ["status"] = status, ["error"] = new JsonObject { ["type"] = type, ["reason"] = reason } };

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
