using System.Diagnostics;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Net;

namespace Platform.Benchmarks.Peers;

/// <summary>JetStream with file storage: acknowledged publishes of the same records, from the same number of concurrent publishers.</summary>
internal static class NatsPublishBenchmark
{
    public static async Task<Measurement> RunAsync(string url, int recordBytes, int producers, long records)
    {
        await using var nats = new NatsClient(url);
        INatsJSContext js = nats.CreateJetStreamContext();
        string stream = "BENCH" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        await js.CreateStreamAsync(new StreamConfig(stream, [$"{stream}.>"]) { Storage = StreamConfigStorage.File });
        byte[] value = new byte[recordBytes];
        Random.Shared.NextBytes(value);
        var latencies = new LatencyRecorder();
        long remaining = records;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, producers).Select(async p =>
        {
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                long start = Stopwatch.GetTimestamp();
                PubAckResponse ack = await js.PublishAsync($"{stream}.{p}", value);
                ack.EnsureSuccess();
                latencies.Add(start);
            }
        }));
        return Measurement.Of(records, records * recordBytes, clock.Elapsed, latencies);
    }
}
