using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.Core.Consumers;
using Platform.Core.Log;
using Platform.Core.Log.Topics;
using Platform.Core.Storage;
using Platform.Core.Storage.InMemory;
using Platform.Core.Streams;
using Platform.Core.Streams.Running;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Streams;

/// <summary>The stream runtime over in-memory storage: one or more "instances" (runners) over the same stores.</summary>
internal sealed class StreamRig : IAsyncDisposable
{
    private readonly List<TestEngine> _engines = [];

    public StreamRig(IStreamStore? store = null, params IStreamJob[] codeJobs)
    {
        Storage = StorageSet.InMemory();
        Store = store ?? new InMemoryStreamStore();
        Ownership = new InMemoryOwnershipStore(TimeProvider.System);
        Views = new InMemoryKeyedViewStore();
        CodeJobs = codeJobs;
        Engine = new TestEngine(Storage);
        _engines.Add(Engine);
        Catalog = NewCatalog(Engine, Store);
        Runner = NewRunner(Engine, Store);
    }

    public StorageSet Storage { get; }

    public IStreamStore Store { get; }

    public InMemoryOwnershipStore Ownership { get; }

    public InMemoryKeyedViewStore Views { get; }

    public IReadOnlyList<IStreamJob> CodeJobs { get; }

    public TestEngine Engine { get; }

    public StreamJobCatalog Catalog { get; }

    public StreamJobRunner Runner { get; }

    /// <summary>Another instance: its own engine and runner (own appenders, own task caches) over the same stores.</summary>
    public StreamJobRunner AnotherInstance(IStreamStore? store = null)
    {
        var engine = new TestEngine(Storage);
        _engines.Add(engine);
        return NewRunner(engine, store ?? Store);
    }

    public Task CreateTopicAsync(string name, int partitions = 1, CleanupPolicy cleanup = CleanupPolicy.Delete) =>
        Engine.Topics.CreateAsync(new TopicConfig { Name = name, Partitions = partitions, CleanupPolicy = cleanup }, default);

    public async Task ProduceAsync(string topic, params (string? Key, string Json, long Timestamp)[] records) =>
        await Engine.Producer.ProduceAsync(topic, [.. records.Select(r => new ProduceRecord
        {
            Key = r.Key is null ? null : Encoding.UTF8.GetBytes(r.Key),
            Value = Encoding.UTF8.GetBytes(r.Json),
            Timestamp = r.Timestamp,
        })], default);

    /// <summary>Every record of a topic, partition by partition, in offset order.</summary>
    public async Task<List<(int Partition, LogRecord Record)>> ReadAllAsync(string topic)
    {
        TopicConfig config = await Engine.Topics.GetAsync(topic, default);
        var all = new List<(int, LogRecord)>();
        for (int p = 0; p < config.Partitions; p++)
        {
            long offset = 0;
            while (true)
            {
                var fetch = await Engine.Reader.FetchAsync(topic, p, offset, 1 << 20, 10_000, default);
                all.AddRange(fetch.Records.Select(r => (p, r)));
                if (fetch.NextOffset >= fetch.LogEndOffset) break;
                offset = fetch.NextOffset;
            }
        }

        return all;
    }

    public static JsonElement Json(LogRecord record) => JsonDocument.Parse(record.Value!.Value).RootElement;

    public static string? Key(LogRecord record) => record.Key is { } k ? Encoding.UTF8.GetString(k.Span) : null;

    public async ValueTask DisposeAsync()
    {
        foreach (TestEngine engine in _engines) await engine.DisposeAsync();
    }

    private StreamJobCatalog NewCatalog(TestEngine engine, IStreamStore store) => new(store, engine.Topics, engine.Reader, CodeJobs, TimeProvider.System);

    private StreamJobRunner NewRunner(TestEngine engine, IStreamStore store) => new(
        NewCatalog(engine, store), engine.Topics, engine.Reader, engine.Producer, store, Ownership, Views,
        Microsoft.Extensions.Options.Options.Create(new StreamOptions { FetchMaxRecords = 500 }),
        Microsoft.Extensions.Options.Options.Create(new ConsumerOptions { ClaimDuration = TimeSpan.FromSeconds(3) }),
        TimeProvider.System, NullLogger<StreamJobRunner>.Instance);
}
