using Microsoft.Extensions.Logging.Abstractions;
using Platform.Core.Consumers;
using Platform.Core.Log.Topics;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Consumers;

/// <summary>The engine plus the consumer runtime's stores, on Azurite; runners made here behave as separate instances.</summary>
public sealed class ConsumerRig : IAsyncDisposable
{
    private ConsumerRig(TestEngine engine, CheckpointStore checkpoints, OwnershipStore ownership)
    {
        Engine = engine;
        Checkpoints = checkpoints;
        Ownership = ownership;
        Groups = new ConsumerGroups(engine.Topics, engine.Reader, checkpoints);
    }

    public TestEngine Engine { get; }

    public CheckpointStore Checkpoints { get; }

    public OwnershipStore Ownership { get; }

    public ConsumerGroups Groups { get; }

    public static async Task<ConsumerRig> CreateAsync(AzuriteFixture azurite, string testName)
    {
        StorageSet stores = await StorageSet.AzureAsync(azurite, testName);
        var checkpoints = new CheckpointStore(await azurite.NewTableAsync(testName + "c"));
        var ownership = new OwnershipStore(await azurite.NewTableAsync(testName + "w"));
        return new ConsumerRig(new TestEngine(stores), checkpoints, ownership);
    }

    public async Task<string> TopicAsync(string name, int partitions)
    {
        await Engine.Topics.CreateAsync(new TopicConfig { Name = name, Partitions = partitions }, default);
        return name;
    }

    public ConsumerRunner Runner(string instance, ConsumerOptions? options = null) =>
        new(Engine.Topics, Engine.Reader, Checkpoints, Ownership, new DeadLetterWriter(Engine.Topics, Engine.Producer), new ConsumerMetrics(),
            Microsoft.Extensions.Options.Options.Create(options ?? new ConsumerOptions { ClaimDuration = TimeSpan.FromSeconds(3), MaxRunTime = TimeSpan.FromSeconds(2), RetryBackoff = TimeSpan.FromMilliseconds(10) }),
            TimeProvider.System, NullLogger<ConsumerRunner>.Instance)
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
