using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Platform.Core.Options;
using Platform.Core.Storage;

namespace Platform.Core.Log.Appending;

/// <summary>
/// Writes index entries in the background, after the appends they describe are acknowledged. A partition's entries
/// wait up to <see cref="LogOptions.IndexWriteDelay"/> (or until a transaction's worth is waiting) and are written
/// together, so index requests follow time, not the number of batches. The index may lag; readers fall back to the
/// segment tail.
/// </summary>
public sealed partial class OffsetIndexWriter : IAsyncDisposable
{
    private readonly Channel<(TopicPartition Partition, BatchIndexEntry? Entry)> _queue =
        Channel.CreateUnbounded<(TopicPartition, BatchIndexEntry?)>(new UnboundedChannelOptions { SingleReader = true });

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

    /// <summary>Queues an entry; never blocks the append path.</summary>
    public void Enqueue(TopicPartition partition, BatchIndexEntry entry)
    {
        Interlocked.Increment(ref _pending);
        if (!_queue.Writer.TryWrite((partition, entry)))
        {
            Interlocked.Decrement(ref _pending);
        }
    }

    /// <summary>Writes everything queued so far at once and waits until it is written (tests, shutdown).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryWrite((default, null)); // no entry: write every partition's now
        while (Pending > 0)
        {
            await Task.Delay(5, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var waiting = new Dictionary<TopicPartition, (List<BatchIndexEntry> Entries, long Since)>();
        long delay = (long)(_options.IndexWriteDelay.TotalSeconds * Stopwatch.Frequency);
        bool open = true;
        while (open)
        {
            open = await WaitAsync(waiting, delay).ConfigureAwait(false);
            bool flushAll = !open;
            while (_queue.Reader.TryRead(out var item))
            {
                if (item.Entry is not { } entry)
                {
                    flushAll = true;
                    continue;
                }

                if (!waiting.TryGetValue(item.Partition, out var w))
                {
                    w = ([], Stopwatch.GetTimestamp());
                    waiting.Add(item.Partition, w);
                }

                w.Entries.Add(entry);
            }

            long now = Stopwatch.GetTimestamp();
            foreach ((TopicPartition partition, (List<BatchIndexEntry> entries, long since)) in waiting.ToList())
            {
                if (flushAll || entries.Count >= _options.IndexBatchSize || now - since >= delay)
                {
                    waiting.Remove(partition);
                    await WriteWithRetryAsync(partition, entries).ConfigureAwait(false);
                    Interlocked.Add(ref _pending, -entries.Count);
                }
            }
        }
    }

    // Until something is queued or the oldest waiting entries are due; false once the queue is closed and drained.
    private async Task<bool> WaitAsync(Dictionary<TopicPartition, (List<BatchIndexEntry> Entries, long Since)> waiting, long delay)
    {
        if (waiting.Count == 0)
        {
            return await _queue.Reader.WaitToReadAsync().ConfigureAwait(false);
        }

        long due = waiting.Values.Min(w => w.Since) + delay - Stopwatch.GetTimestamp();
        if (due <= 0)
        {
            return true;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds((double)due / Stopwatch.Frequency));
        try
        {
            return await _queue.Reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return true;
        }
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
