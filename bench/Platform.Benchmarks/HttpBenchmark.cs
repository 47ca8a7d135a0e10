using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Platform.Benchmarks.Hosts;

namespace Platform.Benchmarks;

/// <summary>The HTTP paths: the records API and OTLP through the local host (a child process), and an empty Kestrel endpoint as the ceiling of HTTP itself.</summary>
internal static class HttpBenchmark
{
    public const string Key = "bench-admin-key-0123456789";

    /// <summary>A request without an answer by then counts as failed (and is reported) rather than stopping the run.</summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Partitions of the topic the concurrency and size sweeps write to.</summary>
    public const int Partitions = 4;

    /// <summary>Concurrency sweep at 1 KiB; record sizes and partition counts at the highest concurrency. Returns the rows and the host's peak memory.</summary>
    public static async Task<(List<HttpRow> Rows, long HostPeakBytes)> RunAllAsync(BenchSettings s, string storage, string outDir, Action<string> step)
    {
        var rows = new List<HttpRow>();
        await using LocalHostProcess host = await LocalHostProcess.StartAsync(storage, Key, Path.Combine(outDir, "host.log"));
        using var admin = new HttpClient { BaseAddress = host.Functions };
        admin.DefaultRequestHeaders.Add("x-api-key", Key);
        int[] partitionCounts = [.. s.Partitions.Append(Partitions).Distinct()];
        foreach (int p in partitionCounts)
        {
            using var create = new StringContent($"{{\"name\":\"http{p}\",\"partitions\":{p}}}", Encoding.UTF8, "application/json");
            (await admin.PostAsync("api/topics", create)).EnsureSuccessStatusCode();
        }

        var (kestrel, sink) = await StartEmptyKestrelAsync();
        await using (kestrel)
        {
            byte[] logs = OtlpRequests.Logs(100);
            byte[] metrics = OtlpRequests.Metrics(100);
            async Task Records(int size, int partitions, int c)
            {
                byte[] record = Body(size);
                Uri url = new(host.Functions, $"api/topics/http{partitions}/records");
                rows.Add(new(BenchResults.RecordsApi, size, partitions, c, await Rounds.RunAsync(s.Rounds, () => PostLoopAsync(url, "application/octet-stream", record, 1, c, s.Duration))));
            }

            async Task Empty(int size, int c)
            {
                byte[] record = Body(size);
                rows.Add(new(BenchResults.EmptyKestrel, size, 0, c, await Rounds.RunAsync(s.Rounds, () => PostLoopAsync(sink, "application/octet-stream", record, 1, c, s.Duration))));
            }

            foreach (int c in s.Concurrency)
            {
                step($"http concurrency {c}");
                await Records(1024, Partitions, c);
                await Empty(1024, c);
                rows.Add(new(BenchResults.OtlpLogs, logs.Length, 0, c, await Rounds.RunAsync(s.Rounds, () => PostLoopAsync(new Uri(host.OtlpHttp, "v1/logs"), "application/x-protobuf", logs, 100, c, s.Duration))));
                rows.Add(new(BenchResults.OtlpMetrics, metrics.Length, 0, c, await Rounds.RunAsync(s.Rounds, () => PostLoopAsync(new Uri(host.OtlpHttp, "v1/metrics"), "application/x-protobuf", metrics, 100, c, s.Duration))));
            }

            int top = s.Concurrency[^1];
            foreach (int size in s.RecordSizes.Where(z => z != 1024))
            {
                step($"http {size} B records, concurrency {top}");
                await Records(size, Partitions, top);
                await Empty(size, top);
            }

            foreach (int p in partitionCounts.Where(p => p != Partitions))
            {
                step($"http 1 KiB records, {p} partitions, concurrency {top}");
                await Records(1024, p, top);
            }
        }

        return (rows, host.PeakWorkingSetBytes);
    }

    /// <summary>POSTs one body from <paramref name="concurrency"/> tasks for a while; latency = each request's answer.</summary>
    public static async Task<Measurement> PostLoopAsync(Uri url, string mediaType, byte[] body, int recordsPerRequest, int concurrency, TimeSpan duration)
    {
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { Timeout = RequestTimeout };
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

        return Measurement.Of(requests * recordsPerRequest, requests * body.Length, clock.Elapsed, latencies) with { Failed = failed };
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

    private static byte[] Body(int size)
    {
        byte[] body = new byte[size];
        Random.Shared.NextBytes(body);
        return body;
    }

    private static async Task<bool> PostAsync(HttpClient client, Uri url, string mediaType, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        try
        {
            using HttpResponseMessage response = await client.PostAsync(url, content);
            return response.IsSuccessStatusCode;
        }
        catch (TaskCanceledException)
        {
            Console.Error.WriteLine($"  {DateTime.UtcNow:HH:mm:ss.fff} a request to {url} got no answer within {RequestTimeout.TotalSeconds:F0} s");
            return false;
        }
        catch (HttpRequestException e)
        {
            Console.Error.WriteLine($"  {DateTime.UtcNow:HH:mm:ss.fff} a request to {url} failed: {e.Message}");
            return false;
        }
    }
}
