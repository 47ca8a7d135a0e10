using Microsoft.Extensions.Logging.Abstractions;
using Platform.Core.Consumers;
using Platform.Core.Log.Topics;
using Platform.Core.Storage;
using Platform.Core.Storage.Azure;
using Platform.Core.Storage.InMemory;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Consumers;

/// <summary>The engine plus the consumer runtime's stores, on Azurite or in memory; runners made here behave as separate instances.</summary>
public sealed class ConsumerRig : IAsyncDisposable
{
    private ConsumerRig(TestEngine engine, ICheckpointStore checkpoints, IOwnershipStore ownership)
    {
        Engine = engine;
        Checkpoints = checkpoints;
        Ownership = ownership;
        Groups = new ConsumerGroups(engine.Topics, engine.Reader, checkpoints);
    }

    public TestEngine Engine { get; }

    public ICheckpointStore Checkpoints { get; }

    public IOwnershipStore Ownership { get; }

    public ConsumerGroups Groups { get; }

    public static async Task<ConsumerRig> CreateAsync(AzuriteFixture azurite, string testName)
    {
        StorageSet stores = await StorageSet.AzureAsync(azurite, testName);
        var checkpoints = new AzureCheckpointStore(await azurite.NewTableAsync(testName + "c"));
        var ownership = new AzureOwnershipStore(await azurite.NewTableAsync(testName + "w"));
        return new ConsumerRig(new TestEngine(stores), checkpoints, ownership);
    }

    /// <summary>Everything in memory; <paramref name="storageClock"/> plays the storage service's clock.</summary>
    public static ConsumerRig InMemory(TimeProvider? storageClock = null, Platform.Core.Options.LogOptions? options = null, StorageSet? stores = null) =>
        new(new TestEngine(stores ?? StorageSet.InMemory(), options), new InMemoryCheckpointStore(), new InMemoryOwnershipStore(storageClock ?? TimeProvider.System));

    public async Task<string> TopicAsync(string name, int partitions)
    {
        await Engine.Topics.CreateAsync(new TopicConfig { Name = name, Partitions = partitions }, default);
        return name;
    }

    public ConsumerRunner Runner(string instance, ConsumerOptions? options = null, TimeProvider? time = null) =>
        new(Engine.Topics, Engine.Reader, Checkpoints, Ownership, new DeadLetterWriter(Engine.Topics, Engine.Producer), new ConsumerMetrics(),
            Microsoft.Extensions.Options.Options.Create(options ?? new ConsumerOptions { ClaimDuration = TimeSpan.FromSeconds(3), MaxRunTime = TimeSpan.FromSeconds(2), RetryBackoff = TimeSpan.FromMilliseconds(10) }),
            time ?? TimeProvider.System, NullLogger<ConsumerRunner>.Instance)
        {
            InstanceId = instance,
        };

    public ValueTask DisposeAsync() => Engine.DisposeAsync();
}

/// <summary>A handler that records what it saw and checks no partition is ever handled by two instances at once.</summary>
public sealed class RecordingHandler(Func<Platform.Core.Log.LogRecord, bool>? fails = null, TimeSpan? delay = null) : IConsumerHandler
{
    private readonly int[] _inFlight = new int[64];

    public System.Collections.Concurrent.ConcurrentBag<(int Partition, long Offset, string Value)> Seen { get; } = [];

    private int _overlaps;

    public int Overlaps => Volatile.Read(ref _overlaps);

    public async Task<IReadOnlyList<RecordFailure>> HandleAsync(ConsumerBatch batch, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _inFlight[batch.Partition.Partition]) > 1)
        {
            Interlocked.Increment(ref _overlaps);
        }

        try
        {
            await Task.Delay(delay ?? TimeSpan.FromMilliseconds(2), cancellationToken);
            var failures = new List<RecordFailure>();
            foreach (var record in batch.Records)
            {
                if (fails?.Invoke(record) == true)
                {
                    failures.Add(new RecordFailure(record.Offset, $"cannot handle {record.Text()}", Retriable: true));
                }
                else
                {
                    Seen.Add((batch.Partition.Partition, record.Offset, record.Text()));
                }
            }

            return failures;
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight[batch.Partition.Partition]);
        }
    }
}
