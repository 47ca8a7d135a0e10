using System.Globalization;
using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Platform.Core.Log.Batches;
using Platform.Core.Options;

namespace Platform.Core.Log.Appending;

/// <summary>
/// One partition's appender in this process. Concurrent produce calls queue here; a single loop
/// coalesces them into one batch (up to linger, max bytes, max records), appends it, and completes
/// each call with its own slice of offsets once the append is durable. The appender is itself an
/// idempotent producer, so its retries after an ambiguous failure can never duplicate a batch.
/// </summary>
internal sealed partial class PartitionAppender : IAsyncDisposable
{
    private readonly Channel<PendingAppend> _queue = Channel.CreateUnbounded<PendingAppend>();
    private readonly PartitionWriter _writer;
    private readonly OffsetIndexWriter _index;
    private readonly LogOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<CompressionCodec> _codec;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private readonly IndexRangeBuilder _indexRange;
    private readonly List<Storage.BatchIndexEntry> _completedIndex = [];
    private long _pendingBytes;
    private ProducerStamp _self = NewIdentity();

    // The linger this partition earns by being contended (see LogOptions.ContendedLingerMax), in milliseconds.
    private double _contendedLingerMs;

    // Whether the last append found another writer's batches before it (a race lost to it, or the read first): it was this
    // writer's turn after another's.
    private bool _turnAfterOthers;

    private readonly ReadFirstJudge _readFirst = new();

    private readonly AppendPace _pace = new();
    private readonly CallerTurnout _turnout;

    // When this appender last found another writer's batches: a partition another instance appended to within SharedFor is shared.
    private long _othersLastSeen = long.MinValue;
    private static readonly TimeSpan SharedFor = TimeSpan.FromSeconds(5);

    // When the last append completed: the callers it answered come back from then on.
    private long _lastCompleted;

    private bool IsShared => _othersLastSeen != long.MinValue && _time.GetElapsedTime(_othersLastSeen) < SharedFor;

    /// <summary>The identity this appender writes coalesced batches with (tests start it near the sequence limit).</summary>
    internal ProducerStamp Identity
    {
        get => _self;
        set => _self = value;
    }

    private readonly IReadOnlyList<IAppendListener> _listeners;

    public PartitionAppender(PartitionWriter writer, OffsetIndexWriter index, Func<CompressionCodec> codec, LogOptions options, TimeProvider time, ILogger logger, IReadOnlyList<IAppendListener>? listeners = null)
    {
        _listeners = listeners ?? [];
        _writer = writer;
        _index = index;
        _codec = codec;
        _options = options;
        _time = time;
        _logger = logger;
        _indexRange = new IndexRangeBuilder(options.IndexIntervalBytes);
        _turnout = new CallerTurnout(options.ContendedLingerMax.TotalMilliseconds);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Queues records to be appended with others; completes when they are durable.</summary>
    public Task<AppendResult> AppendAsync(IReadOnlyList<ProduceRecord> records, int estimatedBytes, CancellationToken cancellationToken) =>
        Enqueue(new PendingAppend(records, estimatedBytes, null, cancellationToken));

    /// <summary>Appends one idempotent producer's batch on its own (it carries the producer's identity).</summary>
    public Task<AppendResult> AppendAsync(IReadOnlyList<ProduceRecord> records, int estimatedBytes, ProducerStamp producer, CancellationToken cancellationToken) =>
        Enqueue(new PendingAppend(records, estimatedBytes, producer, cancellationToken));

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>Bytes of a batch that are not records: header and trailer.</summary>
    private const int BatchOverhead = RecordBatchHeader.Size + RecordBatchTrailer.Size;

    private static ProducerStamp NewIdentity() =>
        new(ProducerStamp.AppenderBit | ((RandomNumberGenerator.GetInt32(1, int.MaxValue) * (1L << 31) + RandomNumberGenerator.GetInt32(int.MaxValue)) & ProducerStamp.ClientIdMask), 0, 0);

    /// <summary>
    /// Reserves room for <paramref name="bytes"/> in this partition's queue, or returns the Busy error to answer with.
    /// A produce call reserves on every partition it touches before it appends anything, so "busy" never leaves half a request written.
    /// </summary>
    public LogException? TryReserve(int bytes)
    {
        if (Interlocked.Add(ref _pendingBytes, bytes) > _options.MaxPendingBytesPerPartition && Interlocked.Read(ref _pendingBytes) != bytes)
        {
            Interlocked.Add(ref _pendingBytes, -bytes);
            return new LogException(LogErrorKind.Busy, string.Create(CultureInfo.InvariantCulture, $"Partition {_writer.Partition} has more than {_options.MaxPendingBytesPerPartition} bytes waiting to be appended; retry shortly."))
            {
                RetryAfter = TimeSpan.FromSeconds(1),
            };
        }

        return null;
    }

    /// <summary>Gives back room reserved with <see cref="TryReserve"/> and not used.</summary>
    public void Release(int bytes) => Interlocked.Add(ref _pendingBytes, -bytes);

    /// <summary>Queues records whose room was reserved with <see cref="TryReserve"/>; completes when they are durable.</summary>
    public Task<AppendResult> AppendReservedAsync(IReadOnlyList<ProduceRecord> records, int reservedBytes, ProducerStamp? producer, CancellationToken cancellationToken, bool exactEpoch = false)
    {
        var pending = new PendingAppend(records, reservedBytes, producer, cancellationToken) { ExactEpoch = exactEpoch };
        if (!_queue.Writer.TryWrite(pending))
        {
            Release(reservedBytes);
            return Task.FromException<AppendResult>(new ObjectDisposedException(nameof(PartitionAppender)));
        }

        return pending.Completion.Task;
    }

    private Task<AppendResult> Enqueue(PendingAppend pending) =>
        TryReserve(pending.Bytes) is { } busy
            ? Task.FromException<AppendResult>(busy)
            : AppendReservedAsync(pending.Records, pending.Bytes, pending.Producer, pending.CancellationToken);

    private async Task RunAsync()
    {
        var group = new List<PendingAppend>();
        var records = new List<ProduceRecord>();
        ChannelReader<PendingAppend> reader = _queue.Reader;
        while (await WaitOrFlushIndexAsync(reader).ConfigureAwait(false))
        {
            if (!reader.TryRead(out PendingAppend? first))
            {
                continue;
            }

            group.Clear();
            group.Add(first);
            if (first.Producer is null)
            {
                await GatherAsync(reader, group).ConfigureAwait(false);
            }

            await AppendGroupAsync(group, records).ConfigureAwait(false);
        }
    }

    /// <summary>Waits for work; while idle, writes the partly built index entry once the flush interval passes.</summary>
    private async Task<bool> WaitOrFlushIndexAsync(ChannelReader<PendingAppend> reader)
    {
        if (!_indexRange.HasPending)
        {
            bool more = await reader.WaitToReadAsync().ConfigureAwait(false);
            FlushIndexIfDone(more);
            return more;
        }

        using var idle = new CancellationTokenSource(_options.IndexFlushInterval, _time);
        try
        {
            bool more = await reader.WaitToReadAsync(idle.Token).ConfigureAwait(false);
            FlushIndexIfDone(more);
            return more;
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested)
        {
            if (_indexRange.Flush() is { } entry)
            {
                _index.Enqueue(_writer.Partition, entry);
            }

            return await reader.WaitToReadAsync().ConfigureAwait(false);
        }
    }

    private void FlushIndexIfDone(bool more)
    {
        if (!more && _indexRange.Flush() is { } entry)
        {
            _index.Enqueue(_writer.Partition, entry);
        }
    }

    /// <summary>Adds queued coalescable calls to the group until a limit is hit or linger runs out.</summary>
    private async Task GatherAsync(ChannelReader<PendingAppend> reader, List<PendingAppend> group)
    {
        long bytes = group[0].Bytes;
        int count = group[0].Records.Count;
        // Jittered, so instances that take turns on a partition do not fall back into step.
        double jitter = 0.5 + Random.Shared.NextDouble();
        double contended = Math.Min(_options.ContendedLingerMax.TotalMilliseconds, (_contendedLingerMs > 0 ? _contendedLingerMs : _pace.LingerMs) * jitter);
        if (IsShared && !_turnAfterOthers)
        {
            // A clean win on a shared partition (no other writer's batches before it) leaves room, about one append's time,
            // for the writer that lost to it to catch up and append: without it a winner that appends back to back starved the other writer through all
            // its attempts (503s).
            contended = Math.Max(contended, Math.Min(_options.ContendedLingerMax.TotalMilliseconds, _pace.AverageMs * jitter));
        }

        double lingerMs = Math.Max(_options.Linger.TotalMilliseconds, contended);
        long now = _time.GetTimestamp();
        long deadline = now + (long)(lingerMs / 1000 * _time.TimestampFrequency);
        // Counted from when the last append completed: after an idle spell the callers it answered are not coming.
        long turnoutDeadline = _lastCompleted + (long)(_turnout.MaxWaitMs / 1000 * _time.TimestampFrequency);
        while (true)
        {
            while (reader.TryPeek(out PendingAppend? next))
            {
                if (next.Producer is not null || bytes + next.Bytes > _options.MaxBatchBytes - BatchOverhead || count + next.Records.Count > _options.MaxBatchRecords)
                {
                    return;
                }

                reader.TryRead(out _);
                group.Add(next);
                bytes += next.Bytes;
                count += next.Records.Count;
            }

            bool full = count >= _options.MaxBatchRecords || bytes >= _options.MaxBatchBytes - BatchOverhead;
            if (full || (_turnAfterOthers && group.Count >= _turnout.ExpectedCalls))
            {
                // After another writer's turn it is this writer's: once every caller it expects is in, lingering cannot grow
                // the batch and only hands the partition back to the other writer.
                return;
            }

            long until = group.Count < _turnout.ExpectedCalls ? Math.Max(deadline, turnoutDeadline) : deadline;
            long remainingTicks = until - _time.GetTimestamp();
            if (remainingTicks <= 0)
            {
                return;
            }

            using var linger = new CancellationTokenSource(TimeSpan.FromSeconds((double)remainingTicks / _time.TimestampFrequency), _time);
            try
            {
                if (!await reader.WaitToReadAsync(linger.Token).ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (linger.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task AppendGroupAsync(List<PendingAppend> group, List<ProduceRecord> records)
    {
        records.Clear();
        long bytes = 0;
        bool reachedWriter = false;
        foreach (PendingAppend p in group)
        {
            bytes += p.Bytes;

            // Decided once, here: a call cancelled from now on is in the batch all the same and is answered with its offsets.
            p.Included = !p.CancellationToken.IsCancellationRequested;
            if (p.Included)
            {
                records.AddRange(p.Records);
            }
        }

        try
        {
            if (records.Count == 0)
            {
                foreach (PendingAppend p in group)
                {
                    p.Completion.TrySetCanceled(p.CancellationToken);
                }

                return;
            }

            if (group[0].Producer is null && _self.BaseSequence > int.MaxValue - records.Count)
            {
                // Sequences are ints: take a new identity before they would wrap (about 2^31 records per partition).
                _self = NewIdentity();
            }

            ProducerStamp stamp = group[0].Producer ?? _self;
            long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            // A client's idempotent batch may fill a whole block (its split does not depend on this instance's settings).
            int limit = group[0].Producer is null ? _options.MaxBatchBytes : Storage.SegmentLimits.MaxBlockBytes;
            CompressionCodec codec = _codec();
            EncodedBatch encoded = RecordBatchEncoder.Encode(records, codec, stamp, now);
            if (encoded.Length > limit && codec != CompressionCodec.None)
            {
                // The codec expanded incompressible data past the estimates: store this batch as it is (the estimates
                // bound the uncompressed encoding), as a batch's codec is its own.
                encoded.Dispose();
                encoded = RecordBatchEncoder.Encode(records, CompressionCodec.None, stamp, now);
            }

            using EncodedBatch batch = encoded;
            if (batch.Length > limit)
            {
                throw new LogException(LogErrorKind.RecordTooLarge, string.Create(CultureInfo.InvariantCulture, $"A batch of {batch.Length} bytes is larger than {limit} bytes ({LogOptions.SectionName}:MaxBatchBytes or the storage block limit)."));
            }

            long appendStarted = _time.GetTimestamp();
            reachedWriter = true;
            _writer.ReadFirst = _readFirst.ShouldRead;
            AppendResult result = await _writer.AppendAsync(batch, ownIdentity: group[0].Producer is null, exactEpoch: group[0].ExactEpoch, _stopping.Token).ConfigureAwait(false);
            IndexObserved();
            AfterTurn(_writer.FoundOthers);
            _readFirst.Appended(_writer.ReadFirstDone, paid: _writer.FoundOthers && _writer.LostRaces == 0);
            double appendMs = _time.GetElapsedTime(appendStarted).TotalMilliseconds;
            if (_writer.LostRaces == 0 && _writer.LastAppendMs > 0 && _options.ContendedLingerMax > TimeSpan.Zero)
            {
                _pace.Observe(_writer.LastAppendMs); // neither a lost race's retries nor a read first are storage's pace
            }

            _lastCompleted = _time.GetTimestamp();
            _turnout.Completed(group.Count, _queue.Reader.Count, appendMs, contended: IsShared);
            if (group[0].Producer is null)
            {
                _self = _self with { BaseSequence = _self.BaseSequence + records.Count };
            }

            if (!result.Duplicate)
            {
                foreach (IAppendListener listener in _listeners)
                {
                    listener.OnAppended(_writer.Partition);
                }
            }

            long offset = result.BaseOffset;
            foreach (PendingAppend p in group)
            {
                if (!p.Included)
                {
                    // Cancelled before batching: its records were left out.
                    p.Completion.TrySetCanceled(p.CancellationToken);
                    continue;
                }

                p.Completion.TrySetResult(result with { BaseOffset = offset, LastOffset = offset + p.Records.Count - 1 });
                offset += p.Records.Count;
            }
        }
        catch (Exception ex)
        {
            if (group[0].Producer is null)
            {
                // The failed batch may still land later; a fresh identity keeps our next batch from
                // ever being mistaken for it.
                _self = NewIdentity();
            }

            if (reachedWriter)
            {
                IndexObserved(); // what its catch-ups read before it failed is in the log all the same
                // The writer's count is this append's only if it got that far (an encoding failure never did).
                AfterTurn(_writer.FoundOthers); // a batch that failed after lost races is the most contended case of all
            }

            _turnout.Failed();

            LogAppendFailed(_logger, ex, _writer.Partition.Topic, _writer.Partition.Partition, records.Count);
            foreach (PendingAppend p in group)
            {
                p.Completion.TrySetException(ex);
            }
        }
        finally
        {
            Interlocked.Add(ref _pendingBytes, -bytes);
        }
    }

    // Indexes every batch the writer saw land, other instances' (read by its catch-ups) as well as its own, so that the
    // entries cover the partition contiguously, one per IndexIntervalBytes, however many instances append to it. Indexing
    // only its own batches would make an entry per batch on a shared partition (others' batches break every run), and
    // leave gaps that readers take for holes. Instances sharing a partition write overlapping entries; a reader takes
    // whichever ends first at or after its offset, which starts at or before it unless it opens a run (an instance
    // started, reloaded or skipped a long catch-up just there): then that reader walks back once and repairs.
    private void IndexObserved()
    {
        long current = _writer.ActiveSegment;
        _completedIndex.Clear();
        foreach (BatchLocation b in _writer.Observed)
        {
            _indexRange.Add(b, _completedIndex);
        }

        _writer.ForgetObserved();

        foreach (Storage.BatchIndexEntry entry in _completedIndex)
        {
            // An entry of a segment the writer has rolled past goes at once, with whatever of the partition waits: a
            // sealed segment may be compacted any moment, and a late row of the segment as appended would replace the
            // compacted generation's row.
            _index.Enqueue(_writer.Partition, entry, now: entry.SegmentBaseOffset != current);
        }
    }

    // Contention-aware group commit. An append that found another writer's batches past its known end (a race lost to it,
    // or the read first) means another writer took a turn since this one's last: that doubles the linger (from 1 ms up to
    // ContendedLingerMax), an append that found none shrinks it by a tenth, so it settles where instances take turns
    // without racing. It also marks the partition shared (IsShared) for a while. The batch right after such an append goes
    // as soon as its callers are in (see GatherAsync): the linger paces the turns after that one. The storage client's
    // retry of an attempt that had landed also loses a race, to nobody, and counts for none of this.
    private void AfterTurn(bool othersAppended)
    {
        _turnAfterOthers = othersAppended;
        _readFirst.Turn(othersAppended);
        if (othersAppended)
        {
            _othersLastSeen = _time.GetTimestamp();
        }

        double max = _options.ContendedLingerMax.TotalMilliseconds;
        _contendedLingerMs = othersAppended ? Math.Min(max, Math.Max(1, _contendedLingerMs * 2)) : _contendedLingerMs < 0.5 ? 0 : _contendedLingerMs * 0.9;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Append of {Count} records to {Topic}/{Partition} failed")]
    private static partial void LogAppendFailed(ILogger logger, Exception exception, string topic, int partition, int count);

    private sealed record PendingAppend(IReadOnlyList<ProduceRecord> Records, int Bytes, ProducerStamp? Producer, CancellationToken CancellationToken)
    {
        public TaskCompletionSource<AppendResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Whether its records went into the batch (it was not cancelled when the batch was built).</summary>
        public bool Included { get; set; }

        /// <summary>A producer known with another epoch is a conflict (see <see cref="PartitionWriter.AppendAsync(EncodedBatch, bool, bool, CancellationToken)"/>).</summary>
        public bool ExactEpoch { get; init; }
    }
}
