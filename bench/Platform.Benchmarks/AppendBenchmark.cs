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

/// <summary>The core appender against Azurite, beside Azurite's raw append-block floor at the same block size.</summary>
internal static class AppendBenchmark
{
    public sealed record PlatformRun(int Producers, int RecordsPerCall, long Records, double Seconds, long Appends, long Bytes)
    {
        public double RecordsPerSecond => Records / Seconds;

        public double PayloadMBps => Records * (double)RecordBytes / Seconds / 1e6;

        public double AverageBatchBytes => (double)Bytes / Appends;
    }

    public sealed record RawRun(int BlockBytes, int Writers, long Appends, double Seconds)
    {
        public double AppendsPerSecond => Appends / Seconds;

        public double MBps => Appends * (double)BlockBytes / Seconds / 1e6;
    }

    public const int RecordBytes = 200;

    public static async Task<PlatformRun> RunPlatformAsync(string connectionString, int producers, int recordsPerCall, long totalRecords, TimeSpan linger)
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
        var options = Microsoft.Extensions.Options.Options.Create(new LogOptions { Linger = linger });
        var topics = new TopicManager(new AzureTopicStore(topicsTable), TimeProvider.System);
        await using var index = new Platform.Core.Log.Appending.OffsetIndexWriter(new AzureOffsetIndex(offsets, times), options, NullLogger<OffsetIndexWriter>.Instance);
        await using var producer = new LogProducer(topics, segments, index, options, TimeProvider.System, NullLoggerFactory.Instance);
        await topics.CreateAsync(new TopicConfig { Name = "bench", Partitions = 1 }, default);

        byte[] value = new byte[RecordBytes];
        Random.Shared.NextBytes(value);
        ProduceRecord[] call = [.. Enumerable.Range(0, recordsPerCall).Select(_ => new ProduceRecord { Value = value })];
        await producer.ProduceAsync("bench", call, default); // warm-up: connections, segment creation

        long remaining = totalRecords;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, producers).Select(async _ =>
        {
            while (Interlocked.Add(ref remaining, -recordsPerCall) >= 0)
            {
                await producer.ProduceAsync("bench", call, default);
            }
        }));
        double seconds = clock.Elapsed.TotalSeconds;
        long produced = totalRecords - totalRecords % recordsPerCall;

        var tp = new TopicPartition("bench", 0);
        long appends = 0, bytes = 0;
        foreach (long seg in await segments.ListSegmentsAsync(tp, default))
        {
            SegmentInfo info = (await segments.GetSegmentAsync(tp, seg, default))!.Value;
            appends += info.BlockCount;
            bytes += info.Length;
        }

        await container.DeleteIfExistsAsync();
        return new PlatformRun(producers, recordsPerCall, produced, seconds, appends - 1, bytes);
    }

    public static async Task<RawRun> RunRawAsync(string connectionString, int blockBytes, int writers, TimeSpan duration)
    {
        var container = new BlobServiceClient(connectionString).GetBlobContainerClient("raw-" + Guid.NewGuid().ToString("N")[..8]);
        await container.CreateIfNotExistsAsync();
        byte[] block = new byte[blockBytes];
        Random.Shared.NextBytes(block);
        long appends = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, writers).Select(async w =>
        {
            // One blob per writer: the floor of plain appends, with no contention and no conditions.
            AppendBlobClient blob = container.GetAppendBlobClient($"raw-{w}");
            await blob.CreateAsync(new AppendBlobCreateOptions());
            while (clock.Elapsed < duration)
            {
                using var stream = new MemoryStream(block, writable: false);
                await blob.AppendBlockAsync(stream);
                Interlocked.Increment(ref appends);
            }
        }));
        double seconds = clock.Elapsed.TotalSeconds;
        await container.DeleteIfExistsAsync();
        return new RawRun(blockBytes, writers, appends, seconds);
    }
}
