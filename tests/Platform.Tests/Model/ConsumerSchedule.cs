using System.Collections.Concurrent;
using Platform.Core.Consumers;
using Platform.Core.Log;
using Platform.Tests.Consumers;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Model;

/// <summary>
/// One randomized schedule of the consumer runtime: instances with skewed wall clocks run a group over a topic that
/// keeps growing, and crash between handling and commit, or leave; new instances take their place. Afterwards: no two
/// instances ever handled one partition at once, every record was handled, and no committed offset passed a record
/// that was never handled.
/// </summary>
public sealed class ConsumerSchedule(int seed)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(45);

    private readonly Random _plan = new(seed);
    private readonly Lock _planLock = new();
    private readonly ConcurrentDictionary<(int Partition, long Offset), int> _handled = new();
    private readonly int[] _inFlight = new int[8];
    private readonly ConcurrentBag<string> _violations = [];

    public int Seed => seed;

    /// <summary>Instances that died between handling and commit, across every schedule run (for the soak's figures).</summary>
    public static int Crashes => s_crashes;

    private static int s_crashes;

    public async Task<IReadOnlyList<string>> RunAsync()
    {
        await using ConsumerRig rig = ConsumerRig.InMemory();
        int partitions = Next(1, 5);
        int total = Next(20, 120);
        string topic = await rig.TopicAsync("c" + seed.ToString("x8", System.Globalization.CultureInfo.InvariantCulture), partitions);
        var options = new ConsumerOptions
        {
            ClaimDuration = TimeSpan.FromSeconds(2),
            FetchMaxRecords = Next(1, 20),
            MaxRunTime = TimeSpan.FromMilliseconds(Next(200, 1500)),
            RetryBackoff = TimeSpan.FromMilliseconds(5),
        };
        var handler = new CheckingHandler(this);
        var registration = new ConsumerRegistration("model", topic, handler);
        using var stop = new CancellationTokenSource(Limit);

        Task producing = Task.Run(async () =>
        {
            for (int produced = 0; produced < total;)
            {
                int n = Math.Min(total - produced, Next(1, 10));
                await rig.Engine.Producer.ProduceAsync(topic, [.. Enumerable.Range(produced, n).Select(i => Records.Text($"v{i}", key: $"k{i % 7}"))], default);
                produced += n;
                await Task.Delay(Next(0, 100));
            }
        });

        int slots = Next(2, 4);
        Task[] instances = [.. Enumerable.Range(0, slots).Select(slot => Task.Run(() => InstanceSlotAsync(rig, registration, options, slot, handler, stop.Token)))];
        await producing;
        while (!stop.IsCancellationRequested && (await rig.Groups.GetLagAsync("model", topic, default)).Sum(l => l.Lag) > 0)
        {
            await Task.Delay(100);
        }

        bool timedOut = stop.IsCancellationRequested;
        await stop.CancelAsync();
        await Task.WhenAll(instances);
        if (timedOut)
        {
            _violations.Add($"the group did not consume {total} records within {Limit.TotalSeconds} s (lag {(await rig.Groups.GetLagAsync("model", topic, default)).Sum(l => l.Lag)})");
        }

        for (int p = 0; p < partitions; p++)
        {
            long committed = (await rig.Checkpoints.GetAsync("model", new TopicPartition(topic, p), default))?.Offset ?? 0;
            for (long o = 0; o < committed; o++)
            {
                if (!_handled.ContainsKey((p, o)))
                {
                    _violations.Add($"partition {p}: committed offset {committed} passes offset {o}, which was never handled");
                    break;
                }
            }
        }

        if (_handled.Count != total)
        {
            _violations.Add($"{_handled.Count} of {total} records were handled");
        }

        return [.. _violations];
    }

    private async Task InstanceSlotAsync(ConsumerRig rig, ConsumerRegistration registration, ConsumerOptions options, int slot, CheckingHandler handler, CancellationToken stop)
    {
        for (int life = 0; !stop.IsCancellationRequested; life++)
        {
            var clock = new SkewedClock(TimeSpan.FromSeconds(Next(-600, 601)));
            ConsumerRunner runner = rig.Runner($"slot{slot}-life{life}", options, clock);
            using var crash = CancellationTokenSource.CreateLinkedTokenSource(stop);
            handler.Crashes[runner.InstanceId] = (crash, Next(0, 4) == 0 ? Next(1, 6) : int.MaxValue); // crash after the n-th batch it handles
            try
            {
                while (!crash.IsCancellationRequested)
                {
                    await runner.RunAsync(registration with { Handler = new InstanceHandler(handler, runner.InstanceId) }, crash.Token);
                    if (Next(0, 30) == 0)
                    {
                        await runner.LeaveAsync(registration, CancellationToken.None); // a graceful shutdown now and then
                        break;
                    }

                    await Task.Delay(Next(0, 150), crash.Token);
                }
            }
            catch (OperationCanceledException) when (crash.IsCancellationRequested)
            {
                // died, or the schedule ended
            }
        }
    }

    private int Next(int min, int max)
    {
        lock (_planLock)
        {
            return _plan.Next(min, max);
        }
    }

    private sealed class SkewedClock(TimeSpan skew) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + skew;
    }

    private sealed class InstanceHandler(CheckingHandler inner, string instance) : IConsumerHandler
    {
        public Task<IReadOnlyList<RecordFailure>> HandleAsync(ConsumerBatch batch, CancellationToken cancellationToken) => inner.HandleAsync(instance, batch, cancellationToken);
    }

    private sealed class CheckingHandler(ConsumerSchedule schedule) : IConsumerHandler
    {
        public ConcurrentDictionary<string, (CancellationTokenSource Crash, int AfterBatches)> Crashes { get; } = new();

        private readonly ConcurrentDictionary<string, int> _batches = new();

        public Task<IReadOnlyList<RecordFailure>> HandleAsync(ConsumerBatch batch, CancellationToken cancellationToken) => throw new NotSupportedException();

        public async Task<IReadOnlyList<RecordFailure>> HandleAsync(string instance, ConsumerBatch batch, CancellationToken cancellationToken)
        {
            int p = batch.Partition.Partition;
            if (Interlocked.Increment(ref schedule._inFlight[p]) > 1)
            {
                schedule._violations.Add($"partition {p} was handled by two instances at once ({instance} among them)");
            }

            try
            {
                await Task.Delay(schedule.Next(0, 40), cancellationToken);
                foreach (LogRecord r in batch.Records)
                {
                    schedule._handled.AddOrUpdate((p, r.Offset), 1, (_, n) => n + 1);
                }
            }
            finally
            {
                Interlocked.Decrement(ref schedule._inFlight[p]);
            }

            if (Crashes.TryGetValue(instance, out var crash) && _batches.AddOrUpdate(instance, 1, (_, n) => n + 1) >= crash.AfterBatches)
            {
                Interlocked.Increment(ref s_crashes);
                await crash.Crash.CancelAsync(); // dies after the handler's side effects, before the commit
            }

            return [];
        }
    }
}
