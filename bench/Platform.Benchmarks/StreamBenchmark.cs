using System.Diagnostics;
using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.Core.Consumers;
using Platform.Core.Log;
using Platform.Core.Log.Appending;
using Platform.Core.Log.Reading;
using Platform.Core.Log.Topics;
using Platform.Core.Options;
using Platform.Core.Storage.Azure;
using Platform.Core.Streams;
using Platform.Core.Streams.Engine;
using Platform.Core.Streams.Running;

namespace Platform.Benchmarks;

/// <summary>One stream benchmark row: a job's rate beside the raw consume rate of the same topic (the floor).</summary>
internal sealed record StreamRow(string Job, int Partitions, long Records, double RecordsPerSecond, double FloorRecordsPerSecond);

/// <summary>What the stream benchmark measured.</summary>
internal sealed record StreamResult(IReadOnlyList<StreamRow> Rows, IReadOnlyList<double> CloseLatenciesMs, long BytesPer100kCountWindows, long BytesPerDistinctWindow);

/// <summary>
/// Stream jobs over Azurite, in process: records/s through filter→map→rekey→to and through a tumbling count, on 1 and 4
/// partitions, beside the raw consume rate of the same topic in the same run; the latency from producing the record that
/// closes a window to its result being readable (the runner polled back to back, as a queue wake-up would; the timer
/// adds its period on top); and the memory of open windows.
/// </summary>
internal static class StreamBenchmark
{
    public static async Task<StreamResult> RunAsync(string connectionString, string mode, Action<string> step)
    {
        long records = mode switch { "smoke" => 4_000, "quick" => 40_000, _ => 200_000 };
        var rows = new List<StreamRow>();
        foreach (int partitions in new[] { 1, 4 })
        {
            step($"streams: {records:N0} page views on {partitions} partition(s)");
            await using var rig = await Rig.StartAsync(connectionString);
            await rig.Topics.CreateAsync(new TopicConfig { Name = "views", Partitions = partitions }, default);
            await rig.Topics.CreateAsync(new TopicConfig { Name = "by-user", Partitions = partitions }, default);
            await rig.Topics.CreateAsync(new TopicConfig { Name = "per-minute", Partitions = partitions }, default);
            await rig.FillAsync("views", records);
            double floor = await rig.ConsumeRateAsync("views", records);
            double rekey = await rig.JobRateAsync("rekey", "from: views\nsteps:\n  - filter: \"page != null\"\n  - map: \"{user: user, page: page, ts: ts}\"\n  - rekey: user\n  - to: by-user\n", records);
            double count = await rig.JobRateAsync("count", "from: views\nsteps:\n  - window: {tumbling: 60s, time: ts, grace: 10s, aggregate: {views: count, users: {distinct: user}}}\n  - to: per-minute\n", records);
            rows.Add(new StreamRow("filter → map → rekey → to", partitions, records, rekey, floor));
            rows.Add(new StreamRow("tumbling count (count + distinct) per page per minute", partitions, records, count, floor));
        }

        step("streams: latency from the closing record to the window's result");
        List<double> latencies;
        await using (var rig = await Rig.StartAsync(connectionString))
        {
            latencies = await rig.CloseLatencyAsync(mode == "smoke" ? 5 : 30);
        }

        step("streams: memory of open windows");
        return new StreamResult(rows, latencies, WindowMemory(100_000, distinct: false), WindowMemory(2_000, distinct: true) / 2_000);
    }

    public static string Report(StreamResult r)
    {
        var text = new StringBuilder();
        text.AppendLine("## Stream jobs").AppendLine();
        text.AppendLine("Page views (~90 bytes of JSON, keyed by page, event times over 7 minutes) on Azurite, in process; the floor is the raw consume rate of the same topic in the same run (fetches of 2,000 records, partitions in parallel).").AppendLine();
        text.AppendLine("| job | partitions | records | records/s | floor records/s | share of floor |").AppendLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (StreamRow row in r.Rows)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {row.Job} | {row.Partitions} | {row.Records:N0} | {row.RecordsPerSecond:N0} | {row.FloorRecordsPerSecond:N0} | {row.RecordsPerSecond / row.FloorRecordsPerSecond:P0} |"));
        }

        double[] sorted = [.. r.CloseLatenciesMs.Order()];
        text.AppendLine().AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Latency from producing the record that closes a window to its result being readable in the output topic, runner polled back to back ({sorted.Length} windows): p50 {sorted[sorted.Length / 2]:F0} ms, max {sorted[^1]:F0} ms. With the timer, add up to its period (`Platform:Streams:Schedule`, 5 s)."));
        text.AppendLine().AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Memory of open windows (a task's state): {r.BytesPer100kCountWindows / 1e6:F1} MB per 100,000 windows with a count; a distinct count adds its HyperLogLog, {r.BytesPerDistinctWindow:N0} bytes per window in all."));
        return text.ToString();
    }

    private static long WindowMemory(int windows, bool distinct)
    {
        Aggregation[] fields = distinct
            ? [new Aggregation("views", AggregationKind.Count, null), new Aggregation("users", AggregationKind.Distinct, JsonPath.Compile("user", "bench"))]
            : [new Aggregation("views", AggregationKind.Count, null)];
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var state = new TaskState();
        for (int i = 0; i < windows; i++)
        {
            state.Add(new WindowState($"/page/{i}", i / 1000 * 60_000L, (i / 1000 * 60_000L) + 60_000, [.. fields.Select(f => f.New())]));
        }

        long after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(state);
        return after - before;
    }

    private sealed class Rig : IAsyncDisposable
    {
        private readonly BlobContainerClient _container;
        private readonly OffsetIndexWriter _indexWriter;

        private Rig(BlobContainerClient container, TopicManager topics, OffsetIndexWriter indexWriter, LogProducer producer, LogReader reader, StreamJobCatalog catalog, StreamJobRunner runner)
        {
            (_container, Topics, _indexWriter, Producer, Reader, Catalog, Runner) = (container, topics, indexWriter, producer, reader, catalog, runner);
        }

        public TopicManager Topics { get; }

        public LogProducer Producer { get; }

        public LogReader Reader { get; }

        public StreamJobCatalog Catalog { get; }

        public StreamJobRunner Runner { get; }

        public static async Task<Rig> StartAsync(string connectionString)
        {
            string id = Guid.NewGuid().ToString("N")[..8];
            var storage = new StorageOptions { ConnectionString = connectionString };
            BlobContainerClient container = StorageClients.Blobs(storage).GetBlobContainerClient("streams-" + id);
            await container.CreateIfNotExistsAsync();
            TableServiceClient tables = StorageClients.Tables(storage);
            TableClient Table(string suffix) => tables.GetTableClient($"s{id}{suffix}");
            var offsets = Table("o");
            var times = Table("t");
            var topicRows = Table("p");
            var ownership = Table("w");
            var views = Table("v");
            var jobs = Table("j");
            var state = Table("s");
            var results = Table("r");
            await Task.WhenAll(new[] { offsets, times, topicRows, ownership, views, jobs, state, results }.Select(t => t.CreateIfNotExistsAsync()));
            var logOptions = Microsoft.Extensions.Options.Options.Create(new LogOptions());
            var topics = new TopicManager(new AzureTopicStore(topicRows), TimeProvider.System);
            var index = new AzureOffsetIndex(offsets, times);
            var indexWriter = new OffsetIndexWriter(index, logOptions, NullLogger<OffsetIndexWriter>.Instance);
            var segments = new AzureSegmentStore(container);
            var producer = new LogProducer(topics, segments, indexWriter, logOptions, TimeProvider.System, NullLoggerFactory.Instance);
            var reader = new LogReader(topics, segments, index);
            var store = new AzureStreamStore(jobs, state, results);
            var catalog = new StreamJobCatalog(store, topics, reader, [], TimeProvider.System);
            var runner = new StreamJobRunner(catalog, topics, reader, producer, store, new AzureOwnershipStore(ownership), new AzureKeyedViewStore(views),
                Microsoft.Extensions.Options.Options.Create(new StreamOptions()), Microsoft.Extensions.Options.Options.Create(new ConsumerOptions()), TimeProvider.System, NullLogger<StreamJobRunner>.Instance);
            return new Rig(container, topics, indexWriter, producer, reader, catalog, runner);
        }

        public async Task FillAsync(string topic, long count)
        {
            var random = new Random(42);
            for (long start = 0; start < count; start += 500)
            {
                var batch = new List<ProduceRecord>(500);
                for (long i = start; i < Math.Min(count, start + 500); i++)
                {
                    string page = $"/products/{random.Next(200)}";
                    long ts = (i * 7 * 60_000 / count) + random.Next(1_000);
                    batch.Add(new ProduceRecord
                    {
                        Key = Encoding.UTF8.GetBytes(page),
                        Value = Encoding.UTF8.GetBytes($$"""{"user":"user-{{random.Next(5_000)}}","page":"{{page}}","ts":{{ts}},"agent":"bench"}"""),
                        Timestamp = ts,
                    });
                }

                await Producer.ProduceAsync(topic, batch, default);
            }

            await _indexWriter.FlushAsync(default);
        }

        public async Task<double> ConsumeRateAsync(string topic, long count)
        {
            TopicConfig config = await Topics.GetAsync(topic, default);
            var clock = Stopwatch.StartNew();
            long[] read = await Task.WhenAll(Enumerable.Range(0, config.Partitions).Select(async p =>
            {
                long offset = 0, n = 0;
                while (true)
                {
                    FetchResult fetch = await Reader.FetchAsync(topic, p, offset, 4 * 1024 * 1024, 2_000, default);
                    n += fetch.Records.Count;
                    if (fetch.NextOffset >= fetch.LogEndOffset) return n;
                    offset = fetch.NextOffset;
                }
            }));
            return read.Sum() == count ? count / clock.Elapsed.TotalSeconds : throw new InvalidOperationException($"read {read.Sum()} of {count}");
        }

        public async Task<double> JobRateAsync(string name, string definition, long count)
        {
            await Catalog.PutAsync(name, definition, default);
            CatalogJob job = await Catalog.GetAsync(name, default);
            var clock = Stopwatch.StartNew();
            long processed = 0;
            while ((await Catalog.StatusAsync(job.Job, default)).Any(s => s.Lag > 0 || s.Next is null))
            {
                processed += await Runner.RunAsync(job.Job, default);
            }

            double rate = count / clock.Elapsed.TotalSeconds;
            await Catalog.SetPausedAsync(name, true, default);
            return processed >= count ? rate : throw new InvalidOperationException($"{name} processed {processed} of {count}");
        }

        public async Task<List<double>> CloseLatencyAsync(int samples)
        {
            await Topics.CreateAsync(new TopicConfig { Name = "ticks", Partitions = 1 }, default);
            await Topics.CreateAsync(new TopicConfig { Name = "per-second", Partitions = 1 }, default);
            await Catalog.PutAsync("latency", "from: ticks\nsteps:\n  - window: {tumbling: 1s, time: ts, aggregate: {n: count}}\n  - to: per-second\n", default);
            CatalogJob job = await Catalog.GetAsync("latency", default);
            using var stop = new CancellationTokenSource();
            Task loop = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested) await Runner.RunAsync(job.Job, stop.Token).ConfigureAwait(false);
            });
            var latencies = new List<double>();
            long seen = 0;
            for (int i = 0; i < samples; i++)
            {
                long ts = (i + 1) * 1_000L;
                await Producer.ProduceAsync("ticks", [new ProduceRecord { Key = "k"u8.ToArray(), Value = Encoding.UTF8.GetBytes($$"""{"ts":{{ts - 500}}}"""), Timestamp = ts }], default);
                var clock = Stopwatch.StartNew();
                await Producer.ProduceAsync("ticks", [new ProduceRecord { Key = "k"u8.ToArray(), Value = Encoding.UTF8.GetBytes($$"""{"ts":{{ts}}}"""), Timestamp = ts }], default);
                while (clock.Elapsed < TimeSpan.FromSeconds(30))
                {
                    PartitionOffsets ends = await Reader.GetOffsetsAsync("per-second", 0, default);
                    if (ends.Latest > seen)
                    {
                        seen = ends.Latest;
                        break;
                    }

                    await Task.Delay(2);
                }

                latencies.Add(clock.Elapsed.TotalMilliseconds);
            }

            await stop.CancelAsync();
            try
            {
                await loop;
            }
            catch (OperationCanceledException)
            {
            }

            return latencies;
        }

        public async ValueTask DisposeAsync()
        {
            await Producer.DisposeAsync();
            await _indexWriter.DisposeAsync();
            await _container.DeleteIfExistsAsync();
        }
    }
}
