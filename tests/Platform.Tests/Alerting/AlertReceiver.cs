using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Platform.Tests.Alerting;

/// <summary>
/// An HTTP receiver on a free loopback port that records what it is sent: Alertmanager's v2 <c>POST /api/v2/alerts</c>
/// (as the platform sends them) and webhook notifications (as Alertmanager sends them), with their arrival times.
/// </summary>
public sealed class AlertReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private AlertReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<(DateTimeOffset At, JsonElement Body)> AlertPosts { get; } = new();

    public ConcurrentQueue<(DateTimeOffset At, JsonElement Body)> Webhooks { get; } = new();

    /// <summary>The raw bodies, signature headers and idempotency keys of webhook calls, in order.</summary>
    public ConcurrentQueue<byte[]> RawBodies { get; } = new();

    public ConcurrentQueue<string> Signatures { get; } = new();

    /// <summary>Each signed body with its signature, as one entry (requests arrive side by side: two queues would not pair up).</summary>
    public ConcurrentQueue<(byte[] Body, string Signature)> SignedBodies { get; } = new();

    public ConcurrentQueue<string> IdempotencyKeys { get; } = new();

    /// <summary>Messages posted to the Slack-compatible endpoint.</summary>
    public ConcurrentQueue<JsonElement> Slack { get; } = new();

    /// <summary>Answer this status to webhook calls instead of 200 (a receiver that is down).</summary>
    public int? FailHooksWith { get; set; }

    /// <summary>Answer this status to alert posts instead of 200 (a receiver that is down).</summary>
    public int? FailWith { get; set; }

    public Uri Url => new(_app.Urls.First());

    public static async Task<AlertReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new AlertReceiver(app);
        app.MapPost("/api/v2/alerts", async (HttpContext context) =>
        {
            if (receiver.FailWith is { } status) return Results.StatusCode(status);
            receiver.AlertPosts.Enqueue((DateTimeOffset.UtcNow, (await JsonDocument.ParseAsync(context.Request.Body)).RootElement.Clone()));
            return Results.Ok();
        });
        app.MapPost("/slack", async (HttpContext context) =>
        {
            receiver.Slack.Enqueue((await JsonDocument.ParseAsync(context.Request.Body)).RootElement.Clone());
            return Results.Text("ok");
        });
        app.MapPost("/hook", async (HttpContext context) =>
        {
            if (receiver.FailHooksWith is { } status) return Results.StatusCode(status);
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var raw = buffer.ToArray();
            receiver.RawBodies.Enqueue(raw);
            if (context.Request.Headers.TryGetValue("X-Platform-Signature", out var signature))
            {
                receiver.Signatures.Enqueue(signature.ToString());
                receiver.SignedBodies.Enqueue((raw, signature.ToString()));
            }
            if (context.Request.Headers.TryGetValue("Idempotency-Key", out var key)) receiver.IdempotencyKeys.Enqueue(key.ToString());
            receiver.Webhooks.Enqueue((DateTimeOffset.UtcNow, JsonDocument.Parse(raw).RootElement.Clone()));
            return Results.Ok();
        });
        await app.StartAsync();
        return receiver;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
