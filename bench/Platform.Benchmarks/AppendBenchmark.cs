using System.Diagnostics;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.Core.Log;
using Platform.Core.Log.Appending;
using Platform.Core.Log.Topics;
using Platform.Core.Options;
using Platform.Core.Storage;
using Platform.Core.Storage.Azure;

namespace Platform.Benchmarks;

/// <summary>The core appender in process against Azurite, and Azurite's raw AppendBlock floor.</summary>
internal static class AppendBenchmark
{
    /// <summary>Produce calls of one record from <paramref name="producers"/> tasks; latency = acknowledgement of each call.</summary>
    public static async Task<(Measurement Result, double AverageBatchBytes, long Appends)> RunPlatformAsync(string connectionString, int recordBytes, int partitions, int producers, long records)
    {
        string id = Guid.NewGuid().ToString("N")[..8];
        var container = new BlobServiceClient(connectionString).GetBlobContainerClient("bench-" + id);
        await container.CreateIfNotExistsAsync();
        var tables = new TableServiceClient(connectionString);
        var offsets = tables.GetTableClient("b" + id + "o");
        var times = tables.GetTableClient("b" + id + "t");
        var topicsTable = tables.GetTableClient("b" + id + "p");
        await Task.WhenAll(offsets.CreateIfNotExistsAsync(), times.CreateIfNotExistsAsync(), topicsTable.CreateIfNotExistsAsync());
        var segments = new AzureSegmentStore(container);
        var options = Microsoft.Extensions.Options.Options.Create(new LogOptions());
        var topics = new TopicManager(new AzureTopicStore(topicsTable), TimeProvider.System);
        await using var index = new OffsetIndexWriter(new AzureOffsetIndex(offsets, times), options, NullLogger<OffsetIndexWriter>.Instance);
        await using var producer = new LogProducer(topics, segments, index, options, TimeProvider.System, NullLoggerFactory.Instance);
        await topics.CreateAsync(new TopicConfig { Name = "bench", Partitions = partitions, MaxRecordBytes = 64 * 1024 }, default);

        byte[] value = new byte[recordBytes];
        Random.Shared.NextBytes(value);
        ProduceRecord[] perProducer = [.. Enumerable.Range(0, producers).Select(p => new ProduceRecord { Key = BitConverter.GetBytes(p), Value = value })];
        await Task.WhenAll(Enumerable.Range(0, partitions).Select(p => producer.ProduceAsync("bench", [new ProduceRecord { Value = value, Partition = p }], default))); // warm-up

        long remaining = records;
        var latencies = new LatencyRecorder();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, producers).Select(async p =>
        {
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                long start = Stopwatch.GetTimestamp();
                await producer.ProduceAsync("bench", [perProducer[p]], default);
                latencies.Add(start);
            }
        }));
        TimeSpan elapsed = clock.Elapsed;

        long appends = 0, bytes = 0;
        for (int p = 0; p < partitions; p++)
        {
            var tp = new TopicPartition("bench", p);
            foreach (long seg in await segments.ListSegmentsAsync(tp, default))
            {
                SegmentInfo info = (await segments.GetSegmentAsync(tp, seg, default))!.Value;
                appends += info.BlockCount - (seg == 0 ? 1 : 0);
                bytes += info.Length;
            }
        }

        await container.DeleteIfExistsAsync();
        return (Measurement.Of(records, records * recordBytes, elapsed, latencies), appends == 0 ? 0 : (double)bytes / appends, appends);
    }

    /// <summary>Plain AppendBlock calls of one size for a while, one blob per writer, no conditions: the storage's own limit here.</summary>
    public static Task<Measurement> RunRawAsync(string connectionString, int blockBytes, int writers, TimeSpan duration) =>
        RunRawAsync(connectionString, blockBytes, writers, clock => clock.Elapsed < duration);

    /// <summary>A given number of plain AppendBlock calls, shared by the writers: how the floor's cost grows with the count.</summary>
    public static Task<Measurement> RunRawCountAsync(string connectionString, int blockBytes, int writers, long appends)
    {
        long remaining = appends;
        return RunRawAsync(connectionString, blockBytes, writers, _ => Interlocked.Decrement(ref remaining) >= 0);
    }

    private static async Task<Measurement> RunRawAsync(string connectionString, int blockBytes, int writers, Func<Stopwatch, bool> another)
    {
        var container = new BlobServiceClient(connectionString).GetBlobContainerClient("raw-" + Guid.NewGuid().ToString("N")[..8]);
        await container.CreateIfNotExistsAsync();
        byte[] block = new byte[blockBytes];
        Random.Shared.NextBytes(block);
        long appends = 0;
        var latencies = new LatencyRecorder();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, writers).Select(async w =>
        {
            AppendBlobClient blob = container.GetAppendBlobClient($"raw-{w}");
            await blob.CreateAsync(new AppendBlobCreateOptions());
            while (another(clock))
            {
                long start = Stopwatch.GetTimestamp();
                using var stream = new MemoryStream(block, writable: false);
                await blob.AppendBlockAsync(stream);
                latencies.Add(start);
                Interlocked.Increment(ref appends);
            }
        }));
        TimeSpan elapsed = clock.Elapsed;
        await container.DeleteIfExistsAsync();
        return Measurement.Of(appends, appends * blockBytes, elapsed, latencies);
    }
}
