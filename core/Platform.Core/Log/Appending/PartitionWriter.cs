using System.Buffers;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Platform.Core.Log.Batches;
using Platform.Core.Log.Idempotence;
using Platform.Core.Options;
using Platform.Core.Storage;

namespace Platform.Core.Log.Appending;

/// <summary>
/// Appends batches to one partition with optimistic concurrency: every append is conditional on the
/// position this writer believes is the end. Losing a race or an ambiguous failure both lead to the
/// same step: read the batches that appeared since, fold them into the producer state, and check
/// again; a batch of ours that did land is then found as a duplicate, so nothing is written twice.
/// Not thread-safe: one <see cref="PartitionAppender"/> drives it.
/// </summary>
internal sealed partial class PartitionWriter
{
    private readonly TopicPartition partition;
    private readonly ISegmentStore store;
    private readonly LogOptions options;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly LogMetrics? _metrics;
    private readonly ProducerStateTable _producers;
    private readonly List<BatchLocation> _caughtUp = []; // batches of the watched producer found by catch-ups of this call
    private readonly List<BatchLocation> _observed = []; // every batch seen landing since the last ForgetObserved, in log order
    private long _watchedProducer = -1;
    private long _othersSeen; // batches of producers other than the watched one that catch-ups have read
    private long _othersAtCallStart;
    private bool _loaded;
    private bool _stale;
    private int _reportedProducers;
    private SegmentLimits _limits;
    private long _segment;
    private long _length;
    private int _blocks;
    private long _nextOffset;
    private long _lastAppendTime;
    private bool _sealedByMarker; // the active segment ends with a seal marker (rolled by age)
    private long _firstAppendTime = -1; // of the active segment's first batch; -1 while unknown

    public PartitionWriter(TopicPartition partition, ISegmentStore store, LogOptions options, TimeProvider time, ILogger logger, LogMetrics? metrics = null)
    {
        this.partition = partition;
        this.store = store;
        this.options = options;
        this.time = time;
        this.logger = logger;
        _metrics = metrics;
        _producers = new ProducerStateTable(options.ProducerIdExpiration, options.MaxProducersPerPartition, (reason, count) =>
            metrics?.ProducersEvicted(partition, reason == ProducerEviction.Expired ? "expired" : "limit", count));
    }

    public TopicPartition Partition => partition;

    /// <summary>The topic's SegmentMs: the active segment is sealed by age before an append once its first batch is this old (0 or less: never).</summary>
    public long SegmentMs { get; set; }

    /// <summary>Races the last append lost to other writers (conditional appends refused because the blob had grown).</summary>
    public int LostRaces { get; private set; }

    /// <summary>
    /// Of <see cref="LostRaces"/>, those that another writer's batch made the append lose: the catch-up found a batch of
    /// another producer. The rest were the storage client's own retry of an attempt that had landed.
    /// </summary>
    public int RacesLostToOthers { get; private set; }

    /// <summary>
    /// Read past the known end before the next appends' first attempt. The appender sets it while another writer has
    /// usually appended in between: one read then replaces a refused append and the same read.
    /// </summary>
    public bool ReadFirst { get; set; }

    /// <summary>
    /// Whether the last append found another writer's batches past this writer's known end (by reading first, by losing a
    /// race, or by catching up after a failure): another writer had a turn since this one's last append.
    /// </summary>
    public bool FoundOthers => _othersSeen > _othersAtCallStart;

    /// <summary>
    /// Whether the last append call did read first (<see cref="ReadFirst"/> is skipped when the writer has to load, catch
    /// up after a failure or roll anyway).
    /// </summary>
    public bool ReadFirstDone { get; private set; }

    /// <summary>
    /// How long the last append call's successful append request took, in milliseconds: storage's pace, without any
    /// reads; 0 when the call appended nothing (a duplicate, a failure).
    /// </summary>
    public double LastAppendMs { get; private set; }

    /// <summary>The base offset of the segment this writer appends to.</summary>
    public long ActiveSegment => _segment;

    /// <summary>
    /// Every batch this writer has seen land since <see cref="ForgetObserved"/>, in log order: its own appends and the
    /// batches of other writers that its catch-ups read. Batches found by a load from the tail, or by a catch-up of more
    /// than a mebibyte, are not among them (their writers indexed them).
    /// </summary>
    public IReadOnlyList<BatchLocation> Observed => _observed;

    /// <summary>Empties <see cref="Observed"/>.</summary>
    public void ForgetObserved() => _observed.Clear();

    /// <summary>Appends the batch (rebasing it) and returns its offsets, or the original offsets of a duplicate.</summary>
    /// <param name="batch">The batch, with its producer stamp.</param>
    /// <param name="ownIdentity">
    /// True when the stamp is the calling appender's own identity, which no one else writes with: a batch found with it
    /// is always this call's. False for a client's producer id, whose earlier requests may have written the same batch.
    /// </param>
    /// <param name="cancellationToken">Cancels the append (its outcome is then unknown).</param>
    /// <exception cref="LogException">Fenced or out-of-order producer, or no durable append within attempts and deadline.</exception>
    public Task<AppendResult> AppendAsync(EncodedBatch batch, bool ownIdentity, CancellationToken cancellationToken) =>
        AppendAsync(batch, ownIdentity, exactEpoch: false, cancellationToken);

    /// <summary>
    /// As <see cref="AppendAsync(EncodedBatch, bool, CancellationToken)"/>; with <paramref name="exactEpoch"/>, a producer known
    /// with another epoch is a conflict (an HTTP Idempotency-Key reused for another body: the epoch is the body's
    /// fingerprint), never a new epoch taking over.
    /// </summary>
    public async Task<AppendResult> AppendAsync(EncodedBatch batch, bool ownIdentity, bool exactEpoch, CancellationToken cancellationToken)
    {
        // AppendTimeout bounds the whole append, storage calls included: a storage request that hangs is abandoned
        // (its outcome unknown, so the partition is reloaded from storage before the next append) instead of holding
        // every producer of the partition for the SDK's own time-outs.
        using var deadline = new CancellationTokenSource(options.AppendTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            return await AppendWithinAsync(batch, ownIdentity, exactEpoch, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            _stale = true;
            throw new LogException(LogErrorKind.AppendFailed, string.Create(CultureInfo.InvariantCulture, $"Append to {partition} did not complete within {options.AppendTimeout} (storage did not answer in time); it was not acknowledged and may be retried."), ex);
        }
        catch (Exception)
        {
            // Whatever failed, this writer's view may be behind what landed: catch up forward before the next append.
            _stale = true;
            throw;
        }
        finally
        {
            ReportProducerCount();
        }
    }

    private async Task<AppendResult> AppendWithinAsync(EncodedBatch batch, bool ownIdentity, bool exactEpoch, CancellationToken cancellationToken)
    {
        RecordBatchHeader h = batch.Header;
        var stamp = new ProducerStamp(h.ProducerId, h.ProducerEpoch, h.BaseSequence);
        long started = time.GetTimestamp();
        Exception? lastError = null;
        bool refreshed = false;
        // Every attempt of this call, definite or not: the storage client may retry one internally, so that a first try
        // that landed comes back as a lost race (412) of its retry.
        List<(long Segment, long Position, long AppendTime)>? attempts = null;
        _caughtUp.Clear();
        _watchedProducer = stamp.ProducerId;
        LostRaces = 0;
        RacesLostToOthers = 0;
        _othersAtCallStart = _othersSeen;
        LastAppendMs = 0;
        ReadFirstDone = ReadFirst && _loaded && !_stale && !IsSealed();
        if (ReadFirstDone)
        {
            long lengthBefore = _length;
            try
            {
                await CatchUpAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (StorageErrors.IsTransient(ex, cancellationToken))
            {
                // Only a saving missed: with nothing read, the conditional append below settles it. Cut short half-way,
                // the blob is longer than what was folded in (and the block count not yet taken): catch up the rest
                // before aiming an append, as after any failure.
                LogReadFirstFailed(logger, ex, partition.Topic, partition.Partition);
                _stale = _length != lengthBefore;
            }
        }

        for (int attempt = 1; attempt <= options.MaxAppendAttempts; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (time.GetElapsedTime(started) > options.AppendTimeout)
            {
                break;
            }

            if (!_loaded)
            {
                await LoadAsync(cancellationToken).ConfigureAwait(false);
            }
            else if (_stale)
            {
                // An earlier append was abandoned: its outcome is unknown. Catch up forward from the known end (never
                // re-derive the producer state from a window of the tail, which would forget what lies between).
                await RefreshAsync(cancellationToken).ConfigureAwait(false);
                refreshed = true;
                if (!_loaded)
                {
                    continue;
                }

                _stale = false;
            }

            var (check, original, expected) = _producers.Check(stamp, h.RecordCount);
            if (check is ProducerCheck.Fenced or ProducerCheck.OutOfOrder && !refreshed)
            {
                // Our view may be stale (another process appended): judge the producer on the real tail.
                await RefreshAsync(cancellationToken).ConfigureAwait(false);
                refreshed = true;
                (check, original, expected) = _producers.Check(stamp, h.RecordCount);
            }

            if (exactEpoch && check != ProducerCheck.Duplicate && _producers.KnownEpoch(stamp.ProducerId) is { } known && known != stamp.Epoch)
            {
                if (!refreshed)
                {
                    await RefreshAsync(cancellationToken).ConfigureAwait(false);
                    refreshed = true;
                    continue;
                }

                throw new LogException(LogErrorKind.OutOfOrderSequence, string.Create(CultureInfo.InvariantCulture, $"Producer {stamp.ProducerId} wrote to {partition} before with other contents."));
            }

            switch (check)
            {
                case ProducerCheck.Duplicate:
                    // Found by this call's catch-up where one of its attempts was aimed, stamped with that attempt's append
                    // time (or, for the appender's own identity, anywhere): that attempt is what landed, a new append of ours
                    // to index and announce. Otherwise it was there before: a retry of an appended batch.
                    int landed = attempts is null ? -1 : _caughtUp.FindIndex(b => b.Header.ProducerId == stamp.ProducerId && b.Header.BaseSequence == stamp.BaseSequence
                        && b.Header.ProducerEpoch == stamp.Epoch && (ownIdentity || attempts.Contains((b.SegmentBaseOffset, b.Position, b.Header.AppendTime))));
                    return new AppendResult(original.BaseOffset, original.LastOffset, original.AppendTime, Duplicate: landed < 0);
                case ProducerCheck.Fenced:
                    throw new LogException(LogErrorKind.ProducerFenced, string.Create(CultureInfo.InvariantCulture, $"Producer {stamp.ProducerId} epoch {stamp.Epoch} is fenced on {partition}: a newer epoch has written."));
                case ProducerCheck.OutOfOrder:
                    throw new LogException(LogErrorKind.OutOfOrderSequence, string.Create(CultureInfo.InvariantCulture, $"Producer {stamp.ProducerId} sent sequence {stamp.BaseSequence} to {partition}; the next expected is {expected}."));
            }

            if (!IsSealed() && await DueForAgeRollAsync(cancellationToken).ConfigureAwait(false))
            {
                await SealByAgeAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (IsSealed())
            {
                await RollAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            long appendTime = Math.Max(time.GetUtcNow().ToUnixTimeMilliseconds(), _lastAppendTime);
            batch.Rebase(_nextOffset, appendTime);
            long position = _length;
            AppendOutcome? outcome;
            long callStarted = time.GetTimestamp();
            (attempts ??= []).Add((_segment, position, appendTime));
            try
            {
                outcome = await store.AppendAsync(partition, _segment, batch.Memory, position, _limits.HardLimitBytes, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (StorageErrors.IsAmbiguous(ex, cancellationToken))
            {
                // The block may or may not be in the blob: the next catch-up tells.
                LogAmbiguousAppend(logger, ex, partition.Topic, partition.Partition, _nextOffset, attempt);
                lastError = ex;
                outcome = null;
            }


            TimeSpan took = time.GetElapsedTime(callStarted);
            if (took > SlowCall)
            {
                LogSlowAppend(logger, partition.Topic, partition.Partition, took.TotalMilliseconds);
            }

            switch (outcome?.Status)
            {
                case AppendStatus.Appended:
                    LastAppendMs = took.TotalMilliseconds;
                    Apply(batch.Header, outcome.Value.CommittedBlockCount);
                    _observed.Add(new BatchLocation(batch.Header, _segment, position));
                    return new AppendResult(batch.Header.BaseOffset, batch.Header.LastOffset, appendTime, Duplicate: false);
                case AppendStatus.SegmentMissing:
                    _loaded = false;
                    break;
                case AppendStatus.MaxSizeExceeded:
                    // Only a segment past its own seal rule, or one the service takes no more blocks in, refuses: no
                    // writer can append to it again, so every writer rolls to the same next segment.
                    await CatchUpAsync(cancellationToken).ConfigureAwait(false);
                    _blocks = Math.Max(_blocks, _limits.SealBlocks);
                    break;
                default:
                    LogLostRace(logger, partition.Topic, partition.Partition, position, attempt);
                    if (outcome is not null && ++LostRaces > 1 && options.ContendedLingerMax > TimeSpan.Zero)
                    {
                        // Lost again: others are appending in a burst. A jittered pause (before reading the tail, so the
                        // next attempt aims at a fresh end) lets one of them finish its turn instead of racing again at once.
                        double ceiling = Math.Min(options.ContendedLingerMax.TotalMilliseconds, 1 << Math.Min(LostRaces - 1, 10));
                        await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling), time, cancellationToken).ConfigureAwait(false);
                    }

                    long othersBefore = _othersSeen;
                    await CatchUpAsync(cancellationToken).ConfigureAwait(false);
                    if (outcome is not null && _othersSeen > othersBefore)
                    {
                        RacesLostToOthers++;
                    }

                    if (outcome is null)
                    {
                        await Task.Delay(Backoff(attempt), time, cancellationToken).ConfigureAwait(false);
                    }

                    break;
            }
        }

        throw new LogException(LogErrorKind.AppendFailed, string.Create(CultureInfo.InvariantCulture, $"Append to {partition} did not complete within {options.MaxAppendAttempts} attempts or {options.AppendTimeout}; it was not acknowledged and may be retried."), lastError);
    }

    private static readonly TimeSpan SlowCall = TimeSpan.FromSeconds(2);

    // The most a catch-up reads and still reports as observed: what a writer sharing a partition misses between two
    // appends of its own, and what the index writer holds back anyway (OffsetIndexWriter.WriteAtBytes).
    private const long ObservedCatchUpBytes = OffsetIndexWriter.WriteAtBytes;

    // What a catch-up reads with its first request.
    private const int FirstCatchUpReadBytes = 256 * 1024;

    /// <summary>True when the active segment's first batch is older than <see cref="SegmentMs"/> (Kafka rolls at append time too).</summary>
    private async Task<bool> DueForAgeRollAsync(CancellationToken cancellationToken)
    {
        if (SegmentMs <= 0 || _length == 0)
        {
            return false;
        }

        if (_firstAppendTime < 0)
        {
            try
            {
                _firstAppendTime = (await SegmentScanner.FirstHeaderAsync(store, partition, new SegmentRef(_segment), cancellationToken).ConfigureAwait(false)).AppendTime;
            }
            catch (SegmentMissingException)
            {
                _loaded = false; // rolled and deleted meanwhile: this writer is behind; reload from the real end
                return false;
            }
        }

        return _firstAppendTime <= time.GetUtcNow().ToUnixTimeMilliseconds() - SegmentMs;
    }

    /// <summary>
    /// Appends a seal marker at this writer's known end, conditionally like any append: if another writer got there
    /// first, the catch-up reads what it wrote (a marker among it seals the segment just the same) and the loop decides again.
    /// </summary>
    private async Task SealByAgeAsync(CancellationToken cancellationToken)
    {
        byte[] marker = SealMarker.Create(_nextOffset, _lastAppendTime);
        AppendOutcome? outcome = null;
        try
        {
            outcome = await store.AppendAsync(partition, _segment, marker, _length, _limits.HardLimitBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageErrors.IsAmbiguous(ex, cancellationToken))
        {
            // Landed or not, the catch-up below tells.
        }

        if (outcome?.Status == AppendStatus.Appended)
        {
            Apply(RecordBatchHeader.Read(marker), outcome.Value.CommittedBlockCount);
            return;
        }

        if (outcome?.Status == AppendStatus.SegmentMissing)
        {
            _loaded = false;
            return;
        }

        await CatchUpAsync(cancellationToken).ConfigureAwait(false);
    }

    private static TimeSpan Backoff(int attempt) => TimeSpan.FromMilliseconds(Math.Min(1000, 10 * (1 << Math.Min(attempt, 7))));

    private bool IsSealed() => _sealedByMarker || _limits.IsSealed(_length, _blocks);

    private void ReportProducerCount()
    {
        int count = _producers.Count;
        _metrics?.ProducersTracked(partition, count - _reportedProducers);
        _reportedProducers = count;
    }

    private void Apply(in RecordBatchHeader header, int blocks)
    {
        if (_length == 0)
        {
            _firstAppendTime = header.AppendTime;
        }

        _length += header.BatchLength;
        _blocks = blocks;
        _nextOffset = header.NextOffset;
        _lastAppendTime = Math.Max(_lastAppendTime, header.AppendTime);
        _sealedByMarker |= SealMarker.Is(header);
        _producers.Record(header);
    }

    /// <summary>Finds the active segment and rebuilds next offset, append time and producer state from the tail.</summary>
    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<long> segments = await store.ListSegmentsAsync(partition, cancellationToken).ConfigureAwait(false);
        if (segments.Count == 0)
        {
            await store.CreateSegmentAsync(partition, 0, options.NewSegmentLimits, cancellationToken).ConfigureAwait(false);
            segments = [0];
        }

        long remaining = options.ProducerStateScanBytes;
        var tail = new List<BatchLocation>();
        SegmentInfo? active = null;
        for (int i = segments.Count - 1; i >= 0 && remaining > 0; i--)
        {
            SegmentInfo? info = await store.GetSegmentAsync(partition, segments[i], cancellationToken).ConfigureAwait(false);
            if (info is not { } s)
            {
                continue;
            }

            active ??= s;
            List<BatchLocation> found = await SegmentScanner.ScanBackwardAsync(store, partition, s.Ref, s.Length, remaining, stop: null, cancellationToken).ConfigureAwait(false);
            tail.InsertRange(0, found);
            remaining -= s.Length;
        }

        if (active is not { } segment)
        {
            throw new LogException(LogErrorKind.AppendFailed, $"The segments of {partition} disappeared while loading; retry.");
        }

        _segment = segment.BaseOffset;
        _limits = segment.Limits;
        _length = segment.Length;
        _blocks = segment.BlockCount;
        _nextOffset = segment.BaseOffset;
        _lastAppendTime = 0;
        _sealedByMarker = false;
        _firstAppendTime = -1;
        _producers.Clear();
        foreach (BatchLocation b in tail)
        {
            _producers.Record(b.Header);
            _lastAppendTime = Math.Max(_lastAppendTime, b.Header.AppendTime);
            if (b.SegmentBaseOffset == _segment)
            {
                _nextOffset = b.Header.NextOffset;
                _sealedByMarker = SealMarker.Is(b.Header);
                if (b.Position == 0)
                {
                    _firstAppendTime = b.Header.AppendTime;
                }
            }
        }

        _loaded = true;
        _stale = false;
        LogLoaded(logger, partition.Topic, partition.Partition, _segment, _length, _nextOffset, _producers.Count);
    }

    /// <summary>Catches up to the partition's real end, following rolls other writers made.</summary>
    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await CatchUpAsync(cancellationToken).ConfigureAwait(false);
        while (_loaded && IsSealed())
        {
            await RollAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Reads the batches other writers appended since our known end and folds them in as they are read, so that a
    /// catch-up cut short by the deadline keeps its progress and the next one goes on from there.
    /// </summary>
    private async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        // One request for the length and the first batches after our end (a lost race is usually a batch or two behind);
        // the rest, if any, chunk by chunk.
        byte[] first = ArrayPool<byte>.Shared.Rent(FirstCatchUpReadBytes);
        try
        {
            long from = _length;
            (SegmentInfo? info, int read) = await store.ReadFromAsync(partition, _segment, from, first.AsMemory(0, FirstCatchUpReadBytes), cancellationToken).ConfigureAwait(false);
            if (info is not { Generation: 0 } s)
            {
                // Gone, or compacted (only a segment sealed long ago is): positions of the appended version mean nothing
                // there, and this writer is behind anyway. Reload from the real end.
                _loaded = false;
                return;
            }

            _limits = s.Limits;
            if (s.Length > from)
            {
                // A writer far behind leaves what it catches up to the index its writers made: the segment may be
                // compacted while it reads (a late row of the appended version would then replace the compacted one's),
                // and a gigabyte of batch locations is not worth holding.
                bool observe = s.Length - from <= ObservedCatchUpBytes;
                void Visit(BatchLocation b)
                {
                    Apply(b.Header, _blocks);
                    if (observe)
                    {
                        _observed.Add(b);
                    }

                    if (b.Header.ProducerId == _watchedProducer && _watchedProducer >= 0)
                    {
                        _caughtUp.Add(b);
                    }
                    else
                    {
                        _othersSeen++;
                    }
                }

                var segment = new SegmentRef(_segment);
                long position = from + SegmentScanner.VisitWholeBatches(first.AsSpan(0, read), partition, segment, from, Visit);
                if (position < s.Length)
                {
                    await SegmentScanner.ScanForwardAsync(store, partition, segment, position, s.Length, Visit, cancellationToken).ConfigureAwait(false);
                }
            }

            _blocks = Math.Max(_blocks, s.BlockCount);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(first);
        }
    }

    /// <summary>
    /// Moves to the next segment. A sealed segment never changes again (every writer refuses to append
    /// to it), so every writer derives the same next base offset; creating it is idempotent — unless retention
    /// deleted it after the log had moved past it, which a writer idle since then must not bring back: a later
    /// segment exists then (retention never deletes the last), so this writer reloads from the real end instead.
    /// </summary>
    private async Task RollAsync(CancellationToken cancellationToken)
    {
        long next = _nextOffset;
        if (await LogMovedPastAsync(next, cancellationToken).ConfigureAwait(false))
        {
            _loaded = false;
            return;
        }

        bool created = await store.CreateSegmentAsync(partition, next, options.NewSegmentLimits, cancellationToken).ConfigureAwait(false);
        if (created && await LogMovedPastAsync(next, cancellationToken).ConfigureAwait(false))
        {
            // Deleted by retention between the look and the create: what was just created is a ghost of deleted
            // offsets. Removed while still empty, and this writer starts again from the real end.
            if ((await store.GetSegmentAsync(partition, next, cancellationToken).ConfigureAwait(false))?.Length == 0)
            {
                await store.DeleteSegmentAsync(partition, next, cancellationToken).ConfigureAwait(false);
            }

            _loaded = false;
            return;
        }

        LogRolled(logger, partition.Topic, partition.Partition, _segment, next, created);
        _segment = next;
        _limits = options.NewSegmentLimits;
        _length = 0;
        _blocks = 0;
        _sealedByMarker = false;
        _firstAppendTime = -1;
        if (!created)
        {
            await CatchUpAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>True when a segment after <paramref name="next"/> exists: the log went on without this writer.</summary>
    private async Task<bool> LogMovedPastAsync(long next, CancellationToken cancellationToken)
    {
        IReadOnlyList<long> segments = await store.ListSegmentsAsync(partition, cancellationToken).ConfigureAwait(false);
        return segments.Count > 0 && segments[^1] > next;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Lost the append race on {Topic}/{Partition} at byte {Position} (attempt {Attempt}); catching up")]
    private static partial void LogLostRace(ILogger logger, string topic, int partition, long position, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Append to {Topic}/{Partition} at offset {Offset} ended ambiguously (attempt {Attempt}); resolving from the tail")]
    private static partial void LogAmbiguousAppend(ILogger logger, Exception exception, string topic, int partition, long offset, int attempt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reading the end of {Topic}/{Partition} before appending failed; appending at the known end")]
    private static partial void LogReadFirstFailed(ILogger logger, Exception exception, string topic, int partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Append to {Topic}/{Partition} took {Milliseconds} ms")]
    private static partial void LogSlowAppend(ILogger logger, string topic, int partition, double milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rolled {Topic}/{Partition} from segment {Sealed} to {Segment} (created here: {Created})")]
    private static partial void LogRolled(ILogger logger, string topic, int partition, long @sealed, long segment, bool created);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Loaded {Topic}/{Partition}: segment {Segment}, {Length} bytes, next offset {NextOffset}, {Producers} producers")]
    private static partial void LogLoaded(ILogger logger, string topic, int partition, long segment, long length, long nextOffset, int producers);
}
