using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Platform.Core.Options;
using Platform.Core.Storage;

namespace Platform.Core.Log.Appending;

/// <summary>
/// Writes index entries in the background, after the appends they describe are acknowledged. A partition's entries
/// wait up to <see cref="LogOptions.IndexWriteDelay"/>, or until they cover <see cref="WriteAtBytes"/> (one read of
/// a reader walking back from the segment's end) or a transaction's worth, and are written together, so index requests
/// follow time, not the number of batches. The index may lag; readers fall back to the segment tail.
/// </summary>
public sealed partial class OffsetIndexWriter : IAsyncDisposable
{
    /// <summary>Bytes of batches whose entries are written without waiting for the delay.</summary>
    public const int WriteAtBytes = 1024 * 1024;

    private readonly Channel<Queued> _queue = Channel.CreateUnbounded<Queued>(new UnboundedChannelOptions { SingleReader = true });

    private readonly IOffsetIndex _index;
    private readonly LogOptions _options;
    private readonly ILogger<OffsetIndexWriter> _logger;
    private readonly Task _loop;
    private long _pending;

    /// <summary>Starts the background loop.</summary>
    public OffsetIndexWriter(IOffsetIndex index, Microsoft.Extensions.Options.IOptions<LogOptions> options, ILogger<OffsetIndexWriter> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _index = index;
        _options = options.Value;
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Entries queued and not yet written.</summary>
    public long Pending => Interlocked.Read(ref _pending);

    /// <summary>Queues an entry; never blocks the append path. <paramref name="now"/>: write it, and what of the partition waits, without waiting (a segment the writer has rolled past).</summary>
    public void Enqueue(TopicPartition partition, BatchIndexEntry entry, bool now = false)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Interlocked.Increment(ref _pending);
        if (!_queue.Writer.TryWrite(new Queued(partition, entry, now, null)))
        {
            Interlocked.Decrement(ref _pending);
        }
    }

    /// <summary>Writes everything queued before the call at once and waits until it is written or given up on (tests, shutdown).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite(new Queued(default, null, true, written)))
        {
            await _loop.WaitAsync(cancellationToken).ConfigureAwait(false); // closed: the loop writes what is left, then ends
            return;
        }

        // The loop ending (it never should) must not leave a flush waiting for good.
        await Task.WhenAny(written.Task, _loop).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var waiting = new Dictionary<TopicPartition, Waiting>();
        var due = new List<TopicPartition>();
        var flushed = new List<TaskCompletionSource>();
        long delay = (long)(_options.IndexWriteDelay.TotalSeconds * Stopwatch.Frequency);
        bool open = true;
        while (open)
        {
            open = await WaitAsync(waiting, delay).ConfigureAwait(false);
            bool all = !open;
            while (_queue.Reader.TryRead(out Queued item))
            {
                if (item.Entry is not { } entry)
                {
                    all = true;
                    flushed.Add(item.Flushed!);
                    continue;
                }

                if (!waiting.TryGetValue(item.Partition, out Waiting? w))
                {
                    w = new Waiting(Stopwatch.GetTimestamp());
                    waiting.Add(item.Partition, w);
                }

                w.Entries.Add(entry);
                w.Bytes += entry.Length;
                w.Now |= item.Now;
            }

            long now = Stopwatch.GetTimestamp();
            due.Clear();
            foreach ((TopicPartition partition, Waiting w) in waiting)
            {
                if (all || w.Now || w.Entries.Count >= _options.IndexBatchSize || w.Bytes >= WriteAtBytes || w.DueIn(delay, now) <= Waiting.Margin)
                {
                    due.Add(partition);
                }
            }

            foreach (TopicPartition partition in due)
            {
                waiting.Remove(partition, out Waiting? w);
                List<BatchIndexEntry> entries = w!.Entries;
                await WriteWithRetryAsync(partition, entries).ConfigureAwait(false);
                Interlocked.Add(ref _pending, -entries.Count);
            }

            foreach (TaskCompletionSource f in flushed)
            {
                f.TrySetResult();
            }

            flushed.Clear();
        }
    }

    // Until something is queued or the oldest waiting entries are due; false once the queue is closed and drained.
    private async Task<bool> WaitAsync(Dictionary<TopicPartition, Waiting> waiting, long delay)
    {
        if (waiting.Count == 0)
        {
            return await _queue.Reader.WaitToReadAsync().ConfigureAwait(false);
        }

        long now = Stopwatch.GetTimestamp();
        long dueIn = long.MaxValue;
        foreach (Waiting w in waiting.Values)
        {
            dueIn = Math.Min(dueIn, w.DueIn(delay, now));
        }

        if (dueIn <= Waiting.Margin)
        {
            return true;
        }

        // Whole milliseconds, rounded up: a timer rounded down fires before the entries are due and the loop spins.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(Math.Ceiling(dueIn * 1000.0 / Stopwatch.Frequency)));
        try
        {
            return await _queue.Reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return true;
        }
    }

    private readonly record struct Queued(TopicPartition Partition, BatchIndexEntry? Entry, bool Now, TaskCompletionSource? Flushed);

    // A partition's entries waiting to be written, since when, how many bytes of batches they cover.
    private sealed class Waiting(long since)
    {
        // Entries this close to due count as due: timers may fire a tick early (about 4 ms on Linux, 16 on Windows).
        public static readonly long Margin = Stopwatch.Frequency / 1000 * 20;

        public List<BatchIndexEntry> Entries { get; } = [];

        public long Bytes { get; set; }

        public bool Now { get; set; }

        public long DueIn(long delay, long now) => since + delay - now;
    }

    private async Task WriteWithRetryAsync(TopicPartition partition, List<BatchIndexEntry> entries)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await _index.AddAsync(partition, entries, CancellationToken.None).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (attempt < 5)
            {
                LogIndexRetry(_logger, ex, partition.Topic, partition.Partition, attempt);
                await Task.Delay(100 * attempt).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // The blobs stay the truth: readers fall back to the tail and the index can be rebuilt.
                LogIndexDropped(_logger, ex, partition.Topic, partition.Partition, entries.Count);
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Index write for {Topic}/{Partition} failed (attempt {Attempt}); retrying")]
    private static partial void LogIndexRetry(ILogger logger, Exception exception, string topic, int partition, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Gave up writing {Count} index entries for {Topic}/{Partition}; readers fall back to the segment tail until the index is rebuilt")]
    private static partial void LogIndexDropped(ILogger logger, Exception exception, string topic, int partition, int count);
}
