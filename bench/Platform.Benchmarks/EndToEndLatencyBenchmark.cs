using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Platform.Core.Consumers;
using Platform.Local;

namespace Platform.Benchmarks;

/// <summary>Latency from an HTTP produce call to the consumer handler, with wake-ups on a storage queue (the local host's path).</summary>
internal static class EndToEndLatencyBenchmark
{
    public static async Task<Measurement> RunAsync(string connectionString, int records, TimeSpan interval)
    {
        const string key = HttpBenchmark.Key;
        string id = Guid.NewGuid().ToString("N")[..10];
        var handler = new LatencyHandler();
        await using LocalPlatform host = await LocalPlatform.CreateAsync(
        [
            $"--Platform:Storage:ConnectionString={connectionString}",
            $"--Platform:Storage:LogContainer=e2e-{id}",
            $"--Platform:Storage:TablePrefix=e{id}",
            $"--Platform:Consumers:WakeupQueue=wake-{id}",
            $"--Platform:Auth:AdminKey={key}",
            "--Platform:Local:Urls=http://127.0.0.1:0", "--Platform:Local:OtlpHttpUrl=", "--Platform:Local:OtlpGrpcUrl=",
            "--Logging:LogLevel:Default=Warning",
        ], CancellationToken.None, b => b.Services.AddSingleton(new ConsumerRegistration("latency", "e2e", handler)));
        await host.StartAsync(CancellationToken.None);
        using var client = new HttpClient { BaseAddress = host.Endpoints.BoundFunctions };
        client.DefaultRequestHeaders.Add("x-api-key", key);
        (await client.PostAsJsonAsync("api/topics", new { name = "e2e", partitions = 1 })).EnsureSuccessStatusCode();

        for (int i = 0; i < records; i++)
        {
            byte[] stamp = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(stamp, Stopwatch.GetTimestamp());
            using var content = new ByteArrayContent(stamp);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
            (await client.PostAsync("api/topics/e2e/records", content)).EnsureSuccessStatusCode();
            await Task.Delay(interval);
        }

        var deadline = Stopwatch.StartNew();
        var clock = Stopwatch.StartNew();
        while (handler.Latencies.Count < records && deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(50);
        }

        var latencies = new LatencyRecorder();
        foreach (double ms in handler.Latencies)
        {
            latencies.AddMilliseconds(ms);
        }

        return Measurement.Of(handler.Latencies.Count, 0, clock.Elapsed, latencies);
    }

    private sealed class LatencyHandler : IConsumerHandler
    {
        public ConcurrentBag<double> Latencies { get; } = [];

        public Task<IReadOnlyList<RecordFailure>> HandleAsync(ConsumerBatch batch, CancellationToken cancellationToken)
        {
            long now = Stopwatch.GetTimestamp();
            foreach (var record in batch.Records)
            {
                long sent = BinaryPrimitives.ReadInt64LittleEndian(record.Value!.Value.Span);
                Latencies.Add(Stopwatch.GetElapsedTime(sent, now).TotalMilliseconds);
            }

            return Task.FromResult<IReadOnlyList<RecordFailure>>([]);
        }
    }
}
