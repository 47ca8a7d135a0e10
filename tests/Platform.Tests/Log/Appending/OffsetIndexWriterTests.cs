using Microsoft.Extensions.Logging.Abstractions;
using Platform.Core.Log;
using Platform.Core.Log.Appending;
using Platform.Core.Options;
using Platform.Core.Storage;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Log.Appending;

/// <summary>Index entries of a partition wait to be written together, so index requests follow time, not batches.</summary>
public sealed class OffsetIndexWriterTests
{
    private static readonly TopicPartition Tp = new("orders", 0);
    private static readonly TopicPartition Other = new("orders", 1);

    [Fact]
    public async Task A_partitions_entries_within_the_delay_are_written_in_one_call()
    {
        var index = new RecordingIndex();
        await using var writer = Writer(index, new LogOptions { IndexWriteDelay = TimeSpan.FromSeconds(1) });
        writer.Enqueue(Tp, Entry(0));
        writer.Enqueue(Tp, Entry(1));
        writer.Enqueue(Other, Entry(0));
        writer.Enqueue(Tp, Entry(2));
        Assert.Empty(index.Calls); // not before the delay

        await WaitUntilWrittenAsync(writer);
        Assert.Equal([(Tp, 3), (Other, 1)], index.Calls.OrderBy(c => c.Partition.Partition).Select(c => (c.Partition, c.Entries.Count)));
        Assert.Equal(Entry(2), await index.FindByOffsetAsync(Tp, 20, default));
    }

    [Fact]
    public async Task A_transactions_worth_is_written_without_waiting_for_the_delay()
    {
        var index = new RecordingIndex();
        await using var writer = Writer(index, new LogOptions { IndexWriteDelay = TimeSpan.FromMinutes(1), IndexBatchSize = 2 });
        writer.Enqueue(Tp, Entry(0));
        writer.Enqueue(Tp, Entry(1));
        await WaitUntilWrittenAsync(writer);
        Assert.Equal(2, Assert.Single(index.Calls).Entries.Count);
    }

    [Fact]
    public async Task Flush_and_dispose_write_what_waits_at_once()
    {
        var index = new RecordingIndex();
        var writer = Writer(index, new LogOptions { IndexWriteDelay = TimeSpan.FromMinutes(1) });
        writer.Enqueue(Tp, Entry(0));
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await writer.FlushAsync(timeout.Token);
        }

        Assert.Single(index.Calls);
        writer.Enqueue(Other, Entry(5));
        await writer.DisposeAsync();
        Assert.Equal(2, index.Calls.Count);
        Assert.Equal(Entry(5), await index.FindByOffsetAsync(Other, 50, default));
    }

    [Fact]
    public async Task An_entry_marked_now_and_a_mebibyte_of_batches_are_written_without_waiting()
    {
        var index = new RecordingIndex();
        await using var writer = Writer(index, new LogOptions { IndexWriteDelay = TimeSpan.FromMinutes(1) });
        writer.Enqueue(Tp, Entry(0), now: true);
        await WaitUntilWrittenAsync(writer);
        Assert.Single(index.Calls);

        for (int n = 1; n <= 16; n++)
        {
            writer.Enqueue(Other, Entry(n) with { Length = 64 * 1024 });
        }

        await WaitUntilWrittenAsync(writer); // 16 x 64 KiB: what one read walking back from the end covers
        Assert.Equal(2, index.Calls.Count);
    }

    [Fact]
    public async Task Flush_returns_while_other_entries_keep_coming()
    {
        var index = new RecordingIndex();
        await using var writer = Writer(index, new LogOptions { IndexWriteDelay = TimeSpan.FromMinutes(1) });
        writer.Enqueue(Tp, Entry(0));
        using var stop = new CancellationTokenSource();
        Task more = Task.Run(async () =>
        {
            for (int n = 1; !stop.IsCancellationRequested; n++)
            {
                writer.Enqueue(Other, Entry(n));
                await Task.Delay(1);
            }
        });
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await writer.FlushAsync(timeout.Token);
        }

        await stop.CancelAsync();
        await more;
        Assert.Equal(Entry(0), await index.FindByOffsetAsync(Tp, 0, default));
    }

    [Fact]
    public async Task A_delay_of_zero_writes_each_entry_as_it_comes()
    {
        var index = new RecordingIndex();
        await using var writer = Writer(index, new LogOptions { IndexWriteDelay = TimeSpan.Zero });
        writer.Enqueue(Tp, Entry(0));
        await WaitUntilWrittenAsync(writer);
        Assert.Single(index.Calls);
    }

    private static OffsetIndexWriter Writer(IOffsetIndex index, LogOptions options) =>
        new(index, Microsoft.Extensions.Options.Options.Create(options), NullLogger<OffsetIndexWriter>.Instance);

    private static BatchIndexEntry Entry(int n) => new(n * 10, (n * 10) + 9, 0, n * 1000, 1000, 1_700_000_000_000 + n);

    private static async Task WaitUntilWrittenAsync(OffsetIndexWriter writer)
    {
        for (int i = 0; i < 600 && writer.Pending > 0; i++)
        {
            await Task.Delay(50);
        }

        Assert.Equal(0, writer.Pending);
    }
}
