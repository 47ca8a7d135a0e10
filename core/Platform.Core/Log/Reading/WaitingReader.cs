using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Platform.Core.Log.Appending;
using Platform.Core.Options;

namespace Platform.Core.Log.Reading;

/// <summary>
/// Long-poll fetches (Kafka's fetch.max.wait.ms): when the partition has nothing at the offset, wait until something
/// arrives or the wait is over. Waiters on one partition share one wait: they are woken by this instance's appends at
/// once, and by one storage look per partition per <see cref="LogOptions.WaitCheckInterval"/> for appends of other
/// instances, however many wait; a waiter fetches again only when woken. At most
/// <see cref="LogOptions.MaxWaitingFetches"/> wait at once (429 beyond).
/// </summary>
public sealed class WaitingReader(LogReader reader, IOptions<LogOptions> options, TimeProvider time) : IAppendListener
{
    private readonly ConcurrentDictionary<TopicPartition, PartitionWait> _waits = new();
    private readonly LogReader _reader = reader;
    private readonly IOptions<LogOptions> _options = options;
    private readonly TimeProvider _time = time;
    private int _waiting;

    /// <summary>Fetches as <see cref="LogReader.FetchAsync"/> does, waiting up to <paramref name="wait"/> for records when there are none yet.</summary>
    /// <exception cref="LogException">Busy: too many fetches wait already.</exception>
    public async Task<FetchResult> FetchAsync(string topic, int partition, long offset, int maxBytes, int maxRecords, TimeSpan wait, CancellationToken cancellationToken)
    {
        FetchResult fetch = await _reader.FetchAsync(topic, partition, offset, maxBytes, maxRecords, cancellationToken).ConfigureAwait(false);
        if (fetch.Records.Count > 0 || wait <= TimeSpan.Zero)
        {
            return fetch;
        }

        if (Interlocked.Increment(ref _waiting) > _options.Value.MaxWaitingFetches)
        {
            Interlocked.Decrement(ref _waiting);
            throw new LogException(LogErrorKind.Busy, $"More than {_options.Value.MaxWaitingFetches} fetches are waiting on this instance; retry, or fetch without waitMs.") { RetryAfter = TimeSpan.FromSeconds(1) };
        }

        try
        {
            var tp = new TopicPartition(topic, partition);
            long deadline = _time.GetTimestamp() + (long)(wait.TotalSeconds * _time.TimestampFrequency);
            while (fetch.Records.Count == 0 && fetch.NextOffset <= offset)
            {
                TimeSpan left = _time.GetElapsedTime(_time.GetTimestamp(), deadline);
                if (left <= TimeSpan.Zero)
                {
                    break;
                }

                PartitionWait shared;
                Task? woken;
                do
                {
                    shared = _waits.GetOrAdd(tp, key => new PartitionWait(key, this));
                    woken = shared.Join(fetch.LogEndOffset);
                }
                while (woken is null); // that wait had just ended: join the partition's next one
                try
                {
                    await woken.WaitAsync(left, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    break;
                }
                finally
                {
                    shared.Leave();
                }

                fetch = await _reader.FetchAsync(topic, partition, offset, maxBytes, maxRecords, cancellationToken).ConfigureAwait(false);
            }

            return fetch;
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    /// <inheritdoc />
    public void OnAppended(TopicPartition partition)
    {
        if (_waits.TryGetValue(partition, out PartitionWait? shared))
        {
            shared.Wake();
        }
    }

    /// <summary>The one wait of a partition: its waiters, what they have seen, and the look at storage while any wait.</summary>
    private sealed class PartitionWait(TopicPartition partition, WaitingReader owner)
    {
        private readonly Lock _gate = new();
        private TaskCompletionSource _woken = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _lowestSeenEnd = long.MaxValue;
        private int _waiters;
        private bool _looking;
        private bool _ended;

        /// <summary>Joins the wait of a waiter whose fetch saw the partition end at <paramref name="seenEnd"/>; null when this wait has ended.</summary>
        public Task? Join(long seenEnd)
        {
            lock (_gate)
            {
                if (_ended)
                {
                    return null;
                }

                _lowestSeenEnd = Math.Min(_lowestSeenEnd, seenEnd);
                _waiters++;
                if (!_looking)
                {
                    _looking = true;
                    _ = LookAsync();
                }

                return _woken.Task;
            }
        }

        public void Leave()
        {
            lock (_gate)
            {
                _waiters--;
            }
        }

        public void Wake()
        {
            TaskCompletionSource woken;
            lock (_gate)
            {
                woken = _woken;
                _woken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _lowestSeenEnd = long.MaxValue;
            }

            woken.TrySetResult();
        }

        // One look at storage per interval while anyone waits; ends (and frees the partition's entry) when no one does.
        private async Task LookAsync()
        {
            while (true)
            {
                await Task.Delay(owner._options.Value.WaitCheckInterval, owner._time).ConfigureAwait(false);
                long lowest;
                lock (_gate)
                {
                    if (_waiters == 0)
                    {
                        _ended = true;
                        owner._waits.TryRemove(KeyValuePair.Create(partition, this));
                        return;
                    }

                    lowest = _lowestSeenEnd;
                }

                try
                {
                    PartitionOffsets offsets = await owner._reader.GetOffsetsAsync(partition.Topic, partition.Partition, CancellationToken.None).ConfigureAwait(false);
                    if (offsets.Latest > lowest)
                    {
                        Wake();
                    }
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // Storage did not answer (or the topic went away): wake the waiters, whose own fetch reports it.
                    Wake();
                }
            }
        }
    }
}
