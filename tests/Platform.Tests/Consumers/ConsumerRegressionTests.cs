using System.Text;
using Azure;
using Platform.Core.Consumers;
using Platform.Core.Log;
using Platform.Core.Log.Topics;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Consumers;

/// <summary>One test per consumer defect found by the engine review (issue 9), in process on the in-memory stores.</summary>
public sealed class ConsumerRegressionTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    /// <summary>The system clock shifted by a fixed amount: an instance whose wall clock is wrong (its timers are fine).</summary>
    private sealed class SkewedClock(TimeSpan skew) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + skew;
    }

    [Fact]
    public async Task Instances_with_skewed_clocks_and_slow_batches_never_handle_one_partition_at_once()
    {
        // Before: the claim was renewed only after a batch was handled, and expiry compared one instance's wall clock
        // with another's: an instance ten minutes ahead took every partition while its owner was still handling.
        await using ConsumerRig rig = ConsumerRig.InMemory();
        string topic = await rig.TopicAsync("skew", 2);
        await rig.Engine.Producer.ProduceAsync(topic, [.. Enumerable.Range(0, 12).Select(i => Records.Text($"v{i}", key: $"k{i}"))], default);
        var handler = new RecordingHandler(delay: TimeSpan.FromMilliseconds(700)); // longer than the claim lasts
        var registration = new ConsumerRegistration("g", topic, handler);
        var options = new ConsumerOptions { ClaimDuration = TimeSpan.FromMilliseconds(500), FetchMaxRecords = 2, MaxRunTime = TimeSpan.FromSeconds(3), RetryBackoff = TimeSpan.FromMilliseconds(10) };
        ConsumerRunner behind = rig.Runner("behind", options, new SkewedClock(TimeSpan.FromMinutes(-10)));
        ConsumerRunner ahead = rig.Runner("ahead", options, new SkewedClock(TimeSpan.FromMinutes(10)));

        var until = DateTime.UtcNow + Guard;
        while (handler.Seen.Select(s => s.Value).Distinct().Count() < 12 && DateTime.UtcNow < until)
        {
            await Task.WhenAll(behind.RunAsync(registration, default), ahead.RunAsync(registration, default));
        }

        Assert.Equal(0, handler.Overlaps);
        Assert.Equal(12, handler.Seen.Select(s => s.Value).Distinct().Count());
    }

    [Fact]
    public async Task A_claim_taken_during_handling_cancels_the_handler_and_nothing_is_committed()
    {
        await using ConsumerRig rig = ConsumerRig.InMemory();
        string topic = await rig.TopicAsync("taken", 1);
        await rig.Engine.Producer.ProduceAsync(topic, [Records.Text("a"), Records.Text("b")], default);
        var started = new TaskCompletionSource();
        var cancelled = new TaskCompletionSource();
        var handler = new DelegateHandler(async (batch, ct) =>
        {
            started.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                cancelled.TrySetResult();
                throw;
            }
        });
        var options = new ConsumerOptions { ClaimDuration = TimeSpan.FromSeconds(2), RetryBackoff = TimeSpan.FromMilliseconds(10) };
        Task<RunResult> run = rig.Runner("owner", options).RunAsync(new ConsumerRegistration("g", topic, handler), default);
        await started.Task.WaitAsync(Guard);

        // An operator (or a bug) hands the partition to someone else while the batch is being handled.
        PartitionClaim claim = (await rig.Ownership.ListAsync("g", topic, default)).Claims.Single();
        Assert.NotNull(await rig.Ownership.TryClaimAsync("g", topic, 0, "thief", claim, TimeSpan.FromMinutes(1), default));

        await cancelled.Task.WaitAsync(Guard); // the keeper's next renewal finds it gone and cancels the handler
        RunResult result = await run.WaitAsync(Guard);
        Assert.Equal(0, result.Handled);
        Assert.Equal(0, (await rig.Checkpoints.GetAsync("g", new TopicPartition(topic, 0), default))?.Offset ?? 0);
    }

    [Fact]
    public async Task A_read_ahead_that_fails_after_the_commit_does_not_fail_the_run()
    {
        // Before: the prefetch was awaited in finally with only LogException caught; a storage error there failed a
        // run whose batch had been handled and committed.
        StorageSet memory = StorageSet.InMemory();
        var scripted = new ScriptedSegmentStore(memory.Segments);
        await using ConsumerRig rig = ConsumerRig.InMemory(stores: memory with { Segments = scripted });
        string topic = await rig.TopicAsync("ahead", 1);
        await rig.Engine.Producer.ProduceAsync(topic, [.. Enumerable.Range(0, 10).Select(i => Records.Text($"v{i}"))], default);
        var failReads = new System.Runtime.CompilerServices.StrongBox<bool>();
        scripted.BeforeRead = async (_, ct) =>
        {
            await Task.Delay(20, ct); // so that the read ahead is still reading while the batch is handled
            if (failReads.Value)
            {
                throw new RequestFailedException(500, "storage failed");
            }
        };
        var handler = new DelegateHandler(async (batch, ct) =>
        {
            failReads.Value = true;
            await Task.Delay(2500, ct); // past the run's deadline: the loop ends and the read ahead is all that is left
        });
        var options = new ConsumerOptions { FetchMaxRecords = 2, MaxRunTime = TimeSpan.FromSeconds(2), RetryBackoff = TimeSpan.FromMilliseconds(10) };

        RunResult result = await rig.Runner("r", options).RunAsync(new ConsumerRegistration("g", topic, handler), default).WaitAsync(Guard);
        Assert.Equal(2, result.Handled);
        Assert.Equal(2, (await rig.Checkpoints.GetAsync("g", new TopicPartition(topic, 0), default))!.Offset);
    }

    [Fact]
    public async Task Dead_letters_of_large_records_fit_their_topic_and_never_jam_the_partition()
    {
        // Before: every dead record of a batch went in one call to a DLQ created with the 1 MiB default; 1 MB records
        // plus their error headers were refused as too large before the commit, so the batch failed forever.
        await using ConsumerRig rig = ConsumerRig.InMemory();
        string topic = await rig.TopicAsync(new string('t', TopicName.MaxSourceLength), 1);
        ProduceRecord Big(byte fill) => new() { Value = Enumerable.Repeat(fill, 1_000_000).ToArray() };
        await rig.Engine.Producer.ProduceAsync(topic, [Big(1), Big(2), Big(3), Big(4), Big(5)], default);
        var handler = new DelegateHandler((batch, _) => Task.FromResult<IReadOnlyList<RecordFailure>>([.. batch.Records.Select(r => new RecordFailure(r.Offset, new string('e', 10_000), Retriable: false))]));
        var options = new ConsumerOptions { FetchMaxBytes = 8 * 1024 * 1024, FetchMaxRecords = 10, RetryBackoff = TimeSpan.FromMilliseconds(10) };

        RunResult result = await rig.Runner("r", options).RunAsync(new ConsumerRegistration("g", topic, handler), default).WaitAsync(Guard);
        Assert.Equal(5, result.DeadLettered);
        Assert.Equal(5, (await rig.Checkpoints.GetAsync("g", new TopicPartition(topic, 0), default))!.Offset);
        var dead = await Records.ReadAllAsync(rig.Engine.Reader, DeadLetterWriter.TopicFor(topic), 0, 8 * 1024 * 1024);
        Assert.Equal([1, 2, 3, 4, 5], dead.Select(r => (int)r.Value!.Value.Span[0]));
        Assert.All(dead, r => Assert.Equal(DeadLetterWriter.MaxErrorLength, Encoding.UTF8.GetString(r.Headers.Single(h => h.Key == "dlq.error").Value!.Value.Span).Length));
    }

    [Fact]
    public async Task A_dead_letter_that_cannot_fit_even_alone_goes_without_its_value_and_says_where_it_is()
    {
        await using ConsumerRig rig = ConsumerRig.InMemory();
        await rig.Engine.Topics.CreateAsync(new TopicConfig { Name = "huge", Partitions = 1, MaxRecordBytes = 4 * 1024 * 1024 }, default);
        await rig.Engine.Producer.ProduceAsync("huge", [new ProduceRecord { Value = new byte[4 * 1024 * 1024 - 200] }], default);
        var handler = new DelegateHandler((batch, _) => Task.FromResult<IReadOnlyList<RecordFailure>>([.. batch.Records.Select(r => new RecordFailure(r.Offset, "no", Retriable: false))]));

        RunResult result = await rig.Runner("r", new ConsumerOptions { FetchMaxBytes = 8 * 1024 * 1024 }).RunAsync(new ConsumerRegistration("g", "huge", handler), default).WaitAsync(Guard);
        Assert.Equal(1, result.DeadLettered);
        LogRecord dead = Assert.Single(await Records.ReadAllAsync(rig.Engine.Reader, "huge.dlq", 0));
        Assert.Null(dead.Value);
        Assert.Contains(dead.Headers, h => h.Key == "dlq.value-omitted");
        Assert.Equal("0", Encoding.UTF8.GetString(dead.Headers.Single(h => h.Key == "dlq.offset").Value!.Value.Span));
    }

    [Fact]
    public async Task A_record_whose_own_headers_fill_a_batch_is_dead_lettered_with_the_platforms_headers_alone()
    {
        // Found by review: the last fallback kept every header named dlq.*, the producer's own among them.
        await using ConsumerRig rig = ConsumerRig.InMemory();
        await rig.Engine.Topics.CreateAsync(new TopicConfig { Name = "headers", Partitions = 1, MaxRecordBytes = 4 * 1024 * 1024 }, default); // headers count toward it
        await rig.Engine.Producer.ProduceAsync("headers", [new ProduceRecord { Value = Encoding.UTF8.GetBytes("v"), Headers = [new RecordHeader("dlq.x", new byte[4 * 1024 * 1024 - 200])] }], default);
        var handler = new DelegateHandler((batch, _) => Task.FromResult<IReadOnlyList<RecordFailure>>([.. batch.Records.Select(r => new RecordFailure(r.Offset, "no", Retriable: false))]));

        RunResult result = await rig.Runner("r", new ConsumerOptions { FetchMaxBytes = 8 * 1024 * 1024 }).RunAsync(new ConsumerRegistration("g", "headers", handler), default).WaitAsync(Guard);
        Assert.Equal(1, result.DeadLettered);
        LogRecord dead = Assert.Single(await Records.ReadAllAsync(rig.Engine.Reader, "headers.dlq", 0));
        Assert.DoesNotContain(dead.Headers, h => h.Key == "dlq.x");
        Assert.Contains(dead.Headers, h => h.Key == "dlq.headers-omitted");
        Assert.Equal(1, (await rig.Checkpoints.GetAsync("g", new TopicPartition("headers", 0), default))!.Offset);
    }

    private sealed class DelegateHandler(Func<ConsumerBatch, CancellationToken, Task<IReadOnlyList<RecordFailure>>> handle) : IConsumerHandler
    {
        public DelegateHandler(Func<ConsumerBatch, CancellationToken, Task> handle)
            : this(async (b, ct) =>
            {
                await handle(b, ct);
                return [];
            })
        {
        }

        public Task<IReadOnlyList<RecordFailure>> HandleAsync(ConsumerBatch batch, CancellationToken cancellationToken) => handle(batch, cancellationToken);
    }
}
