using System.Diagnostics;
using System.Net.Http.Headers;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Resource.V1;
using Platform.Local;

namespace Platform.Benchmarks;

/// <summary>OTLP/HTTP protobuf logs through the local host: a load generator posting real export requests.</summary>
internal static class OtlpIngestBenchmark
{
    public sealed record Run(int Concurrency, int RecordsPerRequest, long Requests, long Failed, double Seconds, double P50Ms, double P99Ms)
    {
        public double RecordsPerSecond => Requests * RecordsPerRequest / Seconds;
    }

    public static async Task<Run> RunAsync(string connectionString, int concurrency, int recordsPerRequest, TimeSpan duration)
    {
        const string key = "bench-admin-key-0123456789";
        string id = Guid.NewGuid().ToString("N")[..10];
        await using LocalPlatform host = await LocalPlatform.CreateAsync(
        [
            $"--Platform:Storage:ConnectionString={connectionString}",
            $"--Platform:Storage:LogContainer=otlp-{id}",
            $"--Platform:Storage:TablePrefix=b{id}",
            $"--Platform:Auth:AdminKey={key}",
            "--Platform:Local:Urls=http://127.0.0.1:0", "--Platform:Local:OtlpHttpUrl=http://127.0.0.1:0", "--Platform:Local:OtlpGrpcUrl=",
            "--Logging:LogLevel:Default=Warning",
        ], CancellationToken.None);
        await host.StartAsync(CancellationToken.None);

        byte[] body = Request(recordsPerRequest).ToByteArray();
        using var client = new HttpClient { BaseAddress = host.Endpoints.BoundOtlpHttp };
        client.DefaultRequestHeaders.Add("x-api-key", key);
        await PostAsync(client, body); // warm-up

        long requests = 0, failed = 0;
        var latencies = new List<double>[concurrency];
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async w =>
        {
            latencies[w] = [];
            while (clock.Elapsed < duration)
            {
                long start = Stopwatch.GetTimestamp();
                bool ok = await PostAsync(client, body);
                latencies[w].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                Interlocked.Increment(ref ok ? ref requests : ref failed);
            }
        }));
        double seconds = clock.Elapsed.TotalSeconds;
        double[] all = [.. latencies.SelectMany(l => l).Order()];
        return new Run(concurrency, recordsPerRequest, requests, failed, seconds, Percentile(all, 0.50), Percentile(all, 0.99));
    }

    private static async Task<bool> PostAsync(HttpClient client, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using HttpResponseMessage response = await client.PostAsync("v1/logs", content);
        return response.IsSuccessStatusCode;
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

    /// <summary>A request like the SDK's batch exporter sends: one resource, one scope, many ~200-byte records.</summary>
    private static ExportLogsServiceRequest Request(int records)
    {
        var scope = new ScopeLogs { Scope = new InstrumentationScope { Name = "Shop.Orders" } };
        for (int i = 0; i < records; i++)
        {
            scope.LogRecords.Add(new LogRecord
            {
                TimeUnixNano = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000UL,
                SeverityNumber = SeverityNumber.Info,
                SeverityText = "Information",
                Body = new AnyValue { StringValue = "Order {OrderId} placed by {Customer} in {Ms} ms" },
                Attributes =
                {
                    new KeyValue { Key = "OrderId", Value = new AnyValue { IntValue = 100_000 + i } },
                    new KeyValue { Key = "Customer", Value = new AnyValue { StringValue = "customer-" + i } },
                },
                TraceId = ByteString.CopyFrom(Guid.NewGuid().ToByteArray()),
                SpanId = ByteString.CopyFrom(Guid.NewGuid().ToByteArray()[..8]),
            });
        }

        return new ExportLogsServiceRequest
        {
            ResourceLogs =
            {
                new ResourceLogs
                {
                    Resource = new Resource { Attributes = { new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = "checkout" } } } },
                    ScopeLogs = { scope },
                },
            },
        };
    }
}
