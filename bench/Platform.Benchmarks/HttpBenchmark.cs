using System.Diagnostics;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Platform.Local;

namespace Platform.Benchmarks;

/// <summary>The HTTP paths: the records API and OTLP through the local host, and an empty Kestrel endpoint as the ceiling of HTTP itself.</summary>
internal static class HttpBenchmark
{
    public const string Key = "bench-admin-key-0123456789";

    public static async Task<LocalPlatform> StartHostAsync(string connectionString)
    {
        string id = Guid.NewGuid().ToString("N")[..10];
        LocalPlatform host = await LocalPlatform.CreateAsync(
        [
            $"--Platform:Storage:ConnectionString={connectionString}",
            $"--Platform:Storage:LogContainer=http-{id}",
            $"--Platform:Storage:TablePrefix=h{id}",
            $"--Platform:Consumers:WakeupQueue=w-{id}",
            $"--Platform:Auth:AdminKey={Key}",
            "--Platform:Local:Urls=http://127.0.0.1:0", "--Platform:Local:OtlpHttpUrl=http://127.0.0.1:0", "--Platform:Local:OtlpGrpcUrl=",
            "--Logging:LogLevel:Default=Warning",
        ], CancellationToken.None);
        await host.StartAsync(CancellationToken.None);
        return host;
    }

    /// <summary>POSTs one body from <paramref name="concurrency"/> tasks for a while; latency = each request's answer.</summary>
    public static async Task<Measurement> PostLoopAsync(Uri url, string mediaType, byte[] body, int recordsPerRequest, int concurrency, TimeSpan duration)
    {
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 });
        client.DefaultRequestHeaders.Add("x-api-key", Key);
        await PostAsync(client, url, mediaType, body);
        long requests = 0, failed = 0;
        var latencies = new LatencyRecorder();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (clock.Elapsed < duration)
            {
                long start = Stopwatch.GetTimestamp();
                bool ok = await PostAsync(client, url, mediaType, body);
                latencies.Add(start);
                Interlocked.Increment(ref ok ? ref requests : ref failed);
            }
        }));
        if (failed > 0)
        {
            Console.Error.WriteLine($"  {failed} requests to {url} failed");
        }

        return Measurement.Of(requests * recordsPerRequest, requests * body.Length, clock.Elapsed, latencies);
    }

    /// <summary>An endpoint that reads the body and answers 200: what Kestrel and the client cost without the platform.</summary>
    public static async Task<(WebApplication App, Uri Url)> StartEmptyKestrelAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        app.MapPost("/sink", async (HttpContext context) =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null);
            return Results.Ok();
        });
        await app.StartAsync();
        return (app, new Uri(new Uri(app.Urls.First()), "sink"));
    }

    private static async Task<bool> PostAsync(HttpClient client, Uri url, string mediaType, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using HttpResponseMessage response = await client.PostAsync(url, content);
        return response.IsSuccessStatusCode;
    }
}
