using System.Diagnostics;
using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.Core.Log;
using Platform.Core.Log.Appending;
using Platform.Core.Log.Compaction;
using Platform.Core.Log.Reading;
using Platform.Core.Log.Topics;
using Platform.Core.Options;
using Platform.Core.Storage;
using Platform.Core.Storage.Azure;

namespace Platform.Benchmarks;

/// <summary>
/// The read path against Azurite: consuming a backlog of 1 KiB records (records/s, MB/s) beside Azurite's raw range
/// reads of the same sizes over the same blobs, a group's catch-up time (fetch + commit), and compaction throughput
/// and the space it reclaims on a topic where every key was written ten times.
/// </summary>
internal static class ReadPathBenchmark
{
    private const int RecordBytes = 1024;
    private const int FetchBytes = 1024 * 1024;

    internal sealed record ReadRow(int Partitions, long Records, Measurement Consume, Measurement Floor, TimeSpan CatchUp)
    {
        /// <summary>Storage requests per fetch (consume phase) and per fetch with its commit (catch-up phase), counted.</summary>
        public double RequestsPerFetch { get; init; }

        public double RequestsPerFetchAndCommit { get; init; }

        public double RequestsPerAppend { get; init; }

        public string Breakdown { get; init; } = string.Empty;
    }

    internal sealed record CompactionRow(long Records, int Keys, long BytesBefore, long BytesAfter, long BytesRead, TimeSpan Elapsed, long Removed)
    {
        public double InputMBps => BytesRead / Elapsed.TotalSeconds / 1e6;
    }

    private sealed class Engine(string connectionString, LogOptions logOptions) : IAsyncDisposable
    {
        private readonly string _id = Guid.NewGuid().ToString("N")[..8];

        // The platform's own clients (StorageClients): their requests are counted by platform.storage.requests.
        public BlobContainerClient Container { get; } = StorageClients.Blobs(new StorageOptions { ConnectionString = connectionString }).GetBlobContainerClient("read-" + Guid.NewGuid().ToString("N")[..8]);

        public AzureSegmentStore Segments => new(Container);

        public TableServiceClient Tables { get; } = StorageClients.Tables(new StorageOptions { ConnectionString = connectionString });

        public TopicManager Topics { get; private set; } = null!;

        public AzureOffsetIndex Index { get; private set; } = null!;

        public OffsetIndexWriter IndexWriter { get; private set; } = null!;

        public LogProducer Producer { get; private set; } = null!;

        public LogOptions Options => logOptions;

        public async Task StartAsync()
        {
            await Container.CreateIfNotExistsAsync();
            TableClient offsets = Tables.GetTableClient("r" + _id + "o"), times = Tables.GetTableClient("r" + _id + "t"), topics = Tables.GetTableClient("r" + _id + "p");
            await Task.WhenAll(offsets.CreateIfNotExistsAsync(), times.CreateIfNotExistsAsync(), topics.CreateIfNotExistsAsync());
            var options = Microsoft.Extensions.Options.Options.Create(logOptions);
            Topics = new TopicManager(new AzureTopicStore(topics), TimeProvider.System);
            Index = new AzureOffsetIndex(offsets, times);
            IndexWriter = new OffsetIndexWriter(Index, options, NullLogger<OffsetIndexWriter>.Instance);
            Producer = new LogProducer(Topics, Segments, IndexWriter, options, TimeProvider.System, NullLoggerFactory.Instance);
        }

        /// <summary>Produces <paramref name="records"/> values from <paramref name="make"/> in calls of 500, four calls at a time.</summary>
        public async Task FillAsync(string topic, long records, Func<long, ProduceRecord> make)
        {
            long next = -1;
            await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
            {
                var call = new List<ProduceRecord>(500);
                while (true)
                {
                    call.Clear();
                    for (int i = 0; i < 500; i++)
                    {
                        long n = Interlocked.Increment(ref next);
                        if (n >= records)
                        {
                            break;
                        }

                        call.Add(make(n));
                    }

                    if (call.Count == 0)
                    {
                        return;
                    }

                    await Producer.ProduceAsync(topic, call, default);
                }
            }));
            await IndexWriter.FlushAsync(default);
        }

        public async ValueTask DisposeAsync()
        {
            await Producer.DisposeAsync();
            await IndexWriter.DisposeAsync();
            await Container.DeleteIfExistsAsync();
        }
    }

    public static async Task<(List<ReadRow> Reads, CompactionRow Compaction)> RunAsync(string connectionString, string mode, Action<string> step)
    {
        long backlog = mode switch { "smoke" => 20_000, "quick" => 200_000, _ => 1_000_000 };
        var reads = new List<ReadRow>();
        foreach (int partitions in new[] { 1, 4 })
        {
            step($"read path: backlog of {backlog:N0} x 1 KiB on {partitions} partition(s)");
            await using var engine = new Engine(connectionString, new LogOptions { SegmentBytes = 256L * 1024 * 1024 });
            await engine.StartAsync();
            string topic = "backlog";
            await engine.Topics.CreateAsync(new TopicConfig { Name = topic, Partitions = partitions }, default);
            byte[] value = new byte[RecordBytes];
            Random.Shared.NextBytes(value);
            long appendRequests, appends;
            using (var filling = new StorageRequestCounter())
            {
                await engine.FillAsync(topic, backlog, _ => new ProduceRecord { Value = value });
                appendRequests = filling.Total;
                appends = filling.ByOperation.Where(o => o.Key.Contains("AppendBlock", StringComparison.OrdinalIgnoreCase) || o.Key.Contains("appendblock", StringComparison.OrdinalIgnoreCase)).Sum(o => o.Value);
            }

            step("read path: consume");
            Measurement consume;
            long consumeRequests;
            string breakdown;
            using (var reading = new StorageRequestCounter())
            {
                consume = await ConsumeAsync(new LogReader(engine.Topics, engine.Segments, engine.Index), topic, partitions, commit: null);
                consumeRequests = reading.Total;
                breakdown = string.Join(", ", reading.ByOperation.OrderByDescending(o => o.Value).Select(o => $"{o.Key} {o.Value}"));
            }
            step("read path: raw range reads");
            Measurement floor = await RawReadsAsync(engine, topic, partitions);
            step("read path: group catch-up");
            TableClient checkpoints = engine.Tables.GetTableClient("r" + Guid.NewGuid().ToString("N")[..8] + "c");
            await checkpoints.CreateIfNotExistsAsync();
            var store = new AzureCheckpointStore(checkpoints);
            var committed = new Platform.Core.Consumers.Checkpoint?[partitions];
            var clock = Stopwatch.StartNew();
            using var catchingUp = new StorageRequestCounter();
            Measurement caught = await ConsumeAsync(new LogReader(engine.Topics, engine.Segments, engine.Index), topic, partitions, async (p, next) =>
                committed[p] = await store.TryCommitAsync("bench", new TopicPartition(topic, p), next, committed[p], null, default)
                    ?? throw new InvalidOperationException("the bench's own commit was refused"));
            TimeSpan catchUp = clock.Elapsed;
            reads.Add(new ReadRow(partitions, backlog, consume, floor, catchUp)
            {
                RequestsPerFetch = consumeRequests / Fetches(consume),
                RequestsPerFetchAndCommit = catchingUp.Total / Fetches(caught),
                RequestsPerAppend = appends == 0 ? double.NaN : (double)appendRequests / appends,
                Breakdown = breakdown,
            });
            await checkpoints.DeleteAsync();
        }

        step("compaction: every key written ten times");
        await using var compacted = new Engine(connectionString, new LogOptions { SegmentBytes = 16L * 1024 * 1024 });
        await compacted.StartAsync();
        int keys = (int)(backlog / 10);
        await compacted.Topics.CreateAsync(new TopicConfig { Name = "changes", Partitions = 1, CleanupPolicy = CleanupPolicy.Compact }, default);
        byte[] body = new byte[RecordBytes];
        Random.Shared.NextBytes(body);
        await compacted.FillAsync("changes", backlog, n => new ProduceRecord { Key = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"key-{n % keys:D8}")), Value = body });
        var tp = new TopicPartition("changes", 0);
        long before = await BytesAsync(compacted.Segments, tp);
        var compactor = new LogCompactor(compacted.Topics, compacted.Segments, compacted.Index, Microsoft.Extensions.Options.Options.Create(compacted.Options), TimeProvider.System, NullLogger<LogCompactor>.Instance);
        var run = Stopwatch.StartNew();
        CompactionResult result = await compactor.CompactAsync(await compacted.Topics.GetAsync("changes", default), tp, default);
        TimeSpan took = run.Elapsed;
        long after = await BytesAsync(compacted.Segments, tp);
        return (reads, new CompactionRow(backlog, keys, before, after, result.BytesRead, took, result.RecordsRemoved));
    }

    private static double Fetches(Measurement m) => Math.Max(1, m.FetchCount);

    /// <summary>Reads every partition from 0 to its end, in parallel, fetches of 1 MiB; optionally commits after each.</summary>
    private static async Task<Measurement> ConsumeAsync(LogReader reader, string topic, int partitions, Func<int, long, Task>? commit)
    {
        long records = 0, bytes = 0;
        var latencies = new LatencyRecorder();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, partitions).Select(async p =>
        {
            long offset = 0;
            while (true)
            {
                long start = Stopwatch.GetTimestamp();
                FetchResult fetch = await reader.FetchAsync(topic, p, offset, FetchBytes, 100_000, default);
                latencies.Add(start);
                Interlocked.Add(ref records, fetch.Records.Count);
                Interlocked.Add(ref bytes, fetch.Records.Sum(r => (long)(r.Value?.Length ?? 0)));
                if (commit is not null)
                {
                    await commit(p, fetch.NextOffset);
                }

                if (fetch.NextOffset >= fetch.LogEndOffset || fetch.Records.Count == 0)
                {
                    return;
                }

                offset = fetch.NextOffset;
            }
        }));
        return Measurement.Of(records, bytes, clock.Elapsed, latencies) with { FetchCount = latencies.Count };
    }

    /// <summary>Azurite's floor: ranged downloads of 1 MiB over the same segment blobs, one reader per partition.</summary>
    private static async Task<Measurement> RawReadsAsync(Engine engine, string topic, int partitions)
    {
        long bytes = 0;
        var latencies = new LatencyRecorder();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, partitions).Select(async p =>
        {
            var tp = new TopicPartition(topic, p);
            byte[] buffer = new byte[FetchBytes];
            foreach (long seg in await engine.Segments.ListSegmentsAsync(tp, default))
            {
                BlobClient blob = engine.Container.GetBlobClient(StorageNames.Segment(tp, seg));
                long length = (await blob.GetPropertiesAsync()).Value.ContentLength;
                for (long position = 0; position < length; position += FetchBytes)
                {
                    long start = Stopwatch.GetTimestamp();
                    var response = await blob.DownloadStreamingAsync(new BlobDownloadOptions { Range = new Azure.HttpRange(position, Math.Min(FetchBytes, length - position)) });
                    await using Stream stream = response.Value.Content;
                    int n = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false);
                    latencies.Add(start);
                    Interlocked.Add(ref bytes, n);
                }
            }
        }));
        // Records: the bytes as 1 KiB records (plus their share of batch framing, ignored), to compare rates.
        return Measurement.Of(bytes / RecordBytes, bytes, clock.Elapsed, latencies);
    }

    private static async Task<long> BytesAsync(AzureSegmentStore store, TopicPartition tp)
    {
        long total = 0;
        foreach (long s in await store.ListSegmentsAsync(tp, default))
        {
            total += (await store.GetSegmentAsync(tp, s, default))?.Length ?? 0;
        }

        return total;
    }

    public static string Report((List<ReadRow> Reads, CompactionRow Compaction) results)
    {
        var sb = new StringBuilder();
        sb.AppendLine("## Read path (Azurite, 1 KiB records, fetches of 1 MiB)").AppendLine();
        sb.AppendLine("| partitions | backlog | consume records/s | consume MB/s | fetch p50 / p99 ms | raw range reads MB/s (floor) | consume / floor | group catch-up (fetch + commit) | storage requests per append / per fetch / per fetch + commit |");
        sb.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (ReadRow r in results.Reads)
        {
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {r.Partitions} | {r.Records:N0} | {r.Consume.RecordsPerSecond:N0} | {r.Consume.MBps:F1} | {r.Consume.P50Ms:F1} / {r.Consume.P99Ms:F1} | {r.Floor.MBps:F1} | {r.Consume.MBps / r.Floor.MBps:P0} | {r.CatchUp.TotalSeconds:F1} s | {r.RequestsPerAppend:F2} / {r.RequestsPerFetch:F2} / {r.RequestsPerFetchAndCommit:F2} |"));
        }

        sb.AppendLine().AppendLine("Requests while consuming, by operation: " + string.Join("; ", results.Reads.Select(r => $"{r.Partitions} partition(s): {r.Breakdown}")));

        CompactionRow c = results.Compaction;
        sb.AppendLine().AppendLine("## Compaction (one partition, 16 MiB segments, each key written 10 times)").AppendLine();
        sb.AppendLine("| records | keys | before | after | reclaimed | input read | time | input MB/s | records removed |");
        sb.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {c.Records:N0} | {c.Keys:N0} | {c.BytesBefore / 1e6:F1} MB | {c.BytesAfter / 1e6:F1} MB | {1 - ((double)c.BytesAfter / c.BytesBefore):P0} | {c.BytesRead / 1e6:F1} MB | {c.Elapsed.TotalSeconds:F1} s | {c.InputMBps:F1} | {c.Removed:N0} |"));
        return sb.ToString();
    }
}
