using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Platform.Core.Options;
using Platform.Core.Storage;

namespace Platform.Core.Log.Appending;

/// <summary>
/// Writes index entries in the background, after the appends they describe are acknowledged, in
/// batches per partition. The index may lag; readers fall back to the segment tail.
/// </summary>
public sealed partial class OffsetIndexWriter : IAsyncDisposable
{
    private readonly Channel<(TopicPartition Partition, BatchIndexEntry Entry)> _queue =
        Channel.CreateUnbounded<(TopicPartition, BatchIndexEntry)>(new UnboundedChannelOptions { SingleReader = true });

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

    /// <summary>Waits until everything queued so far is written (tests, shutdown).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
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
        var byPartition = new Dictionary<TopicPartition, List<BatchIndexEntry>>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            int taken = 0;
            while (taken < 10 * _options.IndexBatchSize && _queue.Reader.TryRead(out var item))
            {
                if (!byPartition.TryGetValue(item.Partition, out List<BatchIndexEntry>? list))
                {
                    list = [];
                    byPartition.Add(item.Partition, list);
                }

                list.Add(item.Entry);
                taken++;
            }

            foreach ((TopicPartition partition, List<BatchIndexEntry> entries) in byPartition)
            {
                if (entries.Count > 0)
                {
                    await WriteWithRetryAsync(partition, entries).ConfigureAwait(false);
                }

                entries.Clear();
            }

            Interlocked.Add(ref _pending, -taken);
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
