using System.Collections.Concurrent;
using Azure.Storage.Queues;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Core.Log;
using Platform.Core.Log.Appending;

namespace Platform.Core.Consumers;

/// <summary>
/// Sends a wake-up message to the queue after appends, at most one per partition per debounce window, and
/// always after the append it answers, so a woken consumer sees it. A lost message costs latency only: the
/// timer sweep reads every partition anyway. Duplicates do no harm (a run with nothing new reads nothing).
/// Sends are owned: disposal (host shutdown) waits for the ones under way, so none is cut off or left unobserved.
/// </summary>
/// <remarks>
/// Only topics some job of this app reads are announced (<paramref name="consumedTopics"/>, asked after start: the jobs
/// depend on the producer that calls this): a wake-up nobody handles is a queue send and delete for nothing, per
/// partition per instance.
/// </remarks>
public sealed partial class WakeupNotifier(QueueClient queue, IOptions<ConsumerOptions> options, TimeProvider time, ILogger<WakeupNotifier> logger, Func<string, bool>? consumedTopics = null) : IAppendListener, IWakeupDeferrer, IAsyncDisposable
{
    private readonly ConcurrentDictionary<TopicPartition, byte> _scheduled = new();
    private readonly ConcurrentDictionary<Task, byte> _sending = new();
    private volatile bool _disposed;

    /// <summary>How long shutdown waits for wake-ups under way; a lost one costs latency only (the sweep delivers).</summary>
    public static readonly TimeSpan ShutdownWait = TimeSpan.FromSeconds(5);

    /// <inheritdoc />
    public void OnAppended(TopicPartition partition)
    {
        if (_disposed || !options.Value.Wakeups || !IsConsumed(partition.Topic) || !_scheduled.TryAdd(partition, 0))
        {
            return;
        }

        Task send = SendAsync(partition);
        _sending.TryAdd(send, 0);
        _ = send.ContinueWith(t => _sending.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private bool IsConsumed(string topic)
    {
        if (consumedTopics is null)
        {
            return true;
        }

        try
        {
            return consumedTopics(topic);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return true; // the jobs could not be listed (a misconfigured job): announce, the handler will say more
        }
    }

    /// <inheritdoc />
    public async Task DeferAsync(WakeupMessage wakeup, TimeSpan delay, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(wakeup);
        await queue.SendMessageAsync(wakeup.ToJson(), visibilityTimeout: delay, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops taking wake-ups and waits, up to <see cref="ShutdownWait"/>, for the ones under way (they never throw: failures are logged).</summary>
    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        try
        {
            await Task.WhenAll(_sending.Keys).WaitAsync(ShutdownWait, time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            LogShutdownWaitExpired(logger, _sending.Count);
        }
    }

    private async Task SendAsync(TopicPartition partition)
    {
        try
        {
            await Task.Delay(options.Value.WakeupDebounce, time).ConfigureAwait(false);
            _scheduled.TryRemove(partition, out _);
            await queue.SendMessageAsync(new WakeupMessage(partition.Topic, partition.Partition).ToJson()).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _scheduled.TryRemove(partition, out _);
            LogWakeupFailed(logger, ex, partition.Topic, partition.Partition);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shutting down with {Count} wake-ups still being sent; the sweep delivers what they would have")]
    private static partial void LogShutdownWaitExpired(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Wake-up for {Topic}/{Partition} was not sent; the sweep will deliver")]
    private static partial void LogWakeupFailed(ILogger logger, Exception exception, string topic, int partition);
}
