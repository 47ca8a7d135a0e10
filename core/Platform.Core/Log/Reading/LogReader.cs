using System.Collections.Concurrent;
using System.Buffers;
using System.Globalization;
using Platform.Core.Log.Batches;
using Platform.Core.Log.Topics;
using Platform.Core.Storage;

namespace Platform.Core.Log.Reading;

/// <summary>
/// Reads partitions: fetch from an offset across segment boundaries, seek by append time, and the
/// earliest and latest offsets. Uses the offset index and falls back to the segment tail when it lags.
/// </summary>
public sealed class LogReader(TopicManager topics, ISegmentStore segments, IOffsetIndex index)
{
    private readonly SegmentListCache _segmentLists = new(segments);

    // Where each fetch stopped (segment generation and byte position of the next batch), so that the next fetch from
    // that offset — a steady consumer's — reads on at once, without an index lookup. Bounded: cleared when it grows.
    private readonly ConcurrentDictionary<(TopicPartition Partition, long Offset), (SegmentRef Segment, long Position, long Until)> _continuations = new();

    // Bounded in time too, so that a topic deleted and created again under its name never resumes at an old position.
    private const long ContinuationMs = 60_000;
    private const int MaxContinuations = 100_000;

    /// <summary>Default fetch size, as Kafka's max.partition.fetch.bytes.</summary>
    public const int DefaultMaxBytes = 1024 * 1024;

    private const int MinReadBytes = 64 * 1024;

    /// <summary>
    /// Up to <paramref name="maxRecords"/> records from <paramref name="offset"/> on, reading about
    /// <paramref name="maxBytes"/> of batches (at least one whole batch, as Kafka does).
    /// </summary>
    /// <exception cref="LogException">The offset is before the earliest or after the end (<see cref="LogErrorKind.OffsetOutOfRange"/>).</exception>
    public async Task<FetchResult> FetchAsync(string topic, int partition, long offset, int maxBytes, int maxRecords, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRecords, 1);
        TopicPartition tp = await ResolveAsync(topic, partition, cancellationToken).ConfigureAwait(false);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await FetchOnceAsync(tp, offset, maxBytes, maxRecords, fresh: attempt > 1, cancellationToken).ConfigureAwait(false);
            }
            catch (SegmentMissingException) when (attempt < 3)
            {
                // Retention deleted a segment this fetch had listed: again from the new list (out of range if the
                // offset itself is gone now).
            }
        }
    }

    private async Task<FetchResult> FetchOnceAsync(TopicPartition tp, long offset, int maxBytes, int maxRecords, bool fresh, CancellationToken cancellationToken)
    {
        IReadOnlyList<long> segs = await _segmentLists.GetAsync(tp, fresh, cancellationToken).ConfigureAwait(false);
        if (!fresh && (segs.Count == 0 || offset < segs[0]))
        {
            // Before answering "out of range", make sure of it.
            segs = await _segmentLists.GetAsync(tp, fresh: true, cancellationToken).ConfigureAwait(false);
        }

        if (segs.Count == 0)
        {
            return offset == 0 ? new FetchResult([], 0, 0) : throw OutOfRange(tp, offset, 0, 0);
        }

        if (offset < segs[0])
        {
            throw OutOfRange(tp, offset, segs[0], null);
        }

        var records = new List<LogRecord>();
        long next = offset;
        long budget = maxBytes;
        SegmentInfo? lastRead = null;
        ReadProgress progress = default;
        long lastStart = 0;
        int i = LastAtOrBefore(segs, offset);
        while (i < segs.Count && records.Count < maxRecords && budget > 0)
        {
            long seg = segs[i];
            if (await segments.GetSegmentAsync(tp, seg, cancellationToken).ConfigureAwait(false) is not { } info)
            {
                // Deleted by retention since the list: with records in hand they are the answer; without, start again.
                if (records.Count == 0)
                {
                    throw new SegmentMissingException($"Segment {seg} of {tp} was deleted while it was being read.");
                }

                break;
            }

            long? position = await LocateAsync(tp, info, next, cancellationToken).ConfigureAwait(false);
            if (position is not { } pos)
            {
                if (i + 1 < segs.Count)
                {
                    next = Math.Max(next, segs[i + 1]);
                    i++;
                    continue;
                }

                break;
            }

            progress = await ReadBatchesAsync(tp, info, pos, next, budget, maxRecords, records, cancellationToken).ConfigureAwait(false);
            (next, budget, lastRead, lastStart) = (progress.Next, progress.Budget, info, pos);
            if (!progress.SegmentDone)
            {
                break;
            }

            i++;
        }

        if (lastRead is { } read)
        {
            Remember(tp, next, read.Ref, progress.Resume);
        }

        // Read to the end of the last segment, through batches with records: the end is where the fetch stopped (no
        // request). Not when it read nothing there (a marker read before may have sealed it) or read a seal marker.
        PartitionOffsets ends = lastRead is { } l && l.BaseOffset == segs[^1] && progress.Resume == l.Length && lastStart < l.Length && !progress.SawSealMarker && !l.IsSealed
            ? new PartitionOffsets(segs[0], next)
            : await EndsAsync(tp, segs, lastRead, cancellationToken).ConfigureAwait(false);
        if (records.Count == 0 && !fresh && offset < ends.Latest)
        {
            // Nothing found where the cached list pointed, yet the log goes on: it rolled since; again from the real list.
            return await FetchOnceAsync(tp, offset, maxBytes, maxRecords, fresh: true, cancellationToken).ConfigureAwait(false);
        }

        if (records.Count == 0 && next > ends.Latest)
        {
            throw OutOfRange(tp, offset, ends.Earliest, ends.Latest);
        }

        return new FetchResult(records, next, ends.Latest);
    }

    /// <summary>The earliest kept offset and the log end offset of a partition.</summary>
    public async Task<PartitionOffsets> GetOffsetsAsync(string topic, int partition, CancellationToken cancellationToken)
    {
        TopicPartition tp = await ResolveAsync(topic, partition, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<long> segs = await _segmentLists.GetAsync(tp, fresh: true, cancellationToken).ConfigureAwait(false);
        return await GetOffsetsAsync(tp, segs, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The first offset whose append time is &gt;= <paramref name="timestamp"/> (Unix ms), or null when
    /// every record is older (Kafka's offsetsForTimes).
    /// </summary>
    public async Task<long?> FindOffsetByTimeAsync(string topic, int partition, long timestamp, CancellationToken cancellationToken)
    {
        TopicPartition tp = await ResolveAsync(topic, partition, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<long> segs = await _segmentLists.GetAsync(tp, fresh: true, cancellationToken).ConfigureAwait(false);
        if (segs.Count == 0)
        {
            return null;
        }

        if (await index.FindByTimeAsync(tp, timestamp, cancellationToken).ConfigureAwait(false) is { } first && first.LastOffset < segs[0])
        {
            // The first batch that late was deleted by retention: every kept record is later still.
            return segs[0];
        }

        BatchLocation? candidate = await FromTimeIndexAsync(tp, segs, timestamp, cancellationToken).ConfigureAwait(false);
        if (candidate is not { } late)
        {
            // The index has nothing that late: the answer, if any, is in the unindexed tail.
            return await FromTailAsync(tp, segs, timestamp, cancellationToken).ConfigureAwait(false);
        }

        // The entry found need not follow on from the one before it: batches in an index hole may be as late. Append
        // times never decrease along a partition, so walk back until a batch is earlier than the time.
        BatchLocation answer = late;
        BatchLocation at = late;
        while (await SegmentScanner.PreviousAsync(segments, tp, segs, at, cancellationToken).ConfigureAwait(false) is { } previous && previous.Header.AppendTime >= timestamp)
        {
            at = previous;
            if (previous.Header.RecordCount > 0)
            {
                answer = previous;
            }
        }

        return Math.Max(answer.Header.BaseOffset, segs[0]);
    }

    /// <summary>The first batch with records appended at or after the time in the run of the first time-index entry that late.</summary>
    private async Task<BatchLocation?> FromTimeIndexAsync(TopicPartition tp, IReadOnlyList<long> segs, long timestamp, CancellationToken cancellationToken)
    {
        BatchIndexEntry? entry = await index.FindByTimeAsync(tp, timestamp, cancellationToken).ConfigureAwait(false);
        if (entry is null || entry.LastOffset < segs[0] || !segs.Contains(entry.SegmentBaseOffset)
            || await segments.GetSegmentAsync(tp, entry.SegmentBaseOffset, cancellationToken).ConfigureAwait(false) is not { } info
            || info.Generation != entry.Generation || entry.Position + entry.Length > info.Length)
        {
            return null;
        }

        // An entry covers a run of batches and carries the last one's time: find the first one late enough.
        List<BatchLocation> run = await SegmentScanner.ScanForwardAsync(segments, tp, entry.Segment, entry.Position, entry.Position + entry.Length, cancellationToken).ConfigureAwait(false);
        if (run.Count == 0 || run[0].Header.BaseOffset != entry.BaseOffset)
        {
            return null; // an entry that does not describe the log: ignore it
        }

        foreach (BatchLocation b in run)
        {
            if (b.Header.AppendTime >= timestamp && b.Header.RecordCount > 0)
            {
                return b;
            }
        }

        return null;
    }

    private async Task<long?> FromTailAsync(TopicPartition tp, IReadOnlyList<long> segs, long timestamp, CancellationToken cancellationToken)
    {
        long? found = null;
        for (int i = segs.Count - 1; i >= 0; i--)
        {
            if (await segments.GetSegmentAsync(tp, segs[i], cancellationToken).ConfigureAwait(false) is not { } info)
            {
                continue;
            }

            List<BatchLocation> tail = await SegmentScanner.ScanBackwardAsync(segments, tp, info.Ref, info.Length, long.MaxValue, h => h.AppendTime < timestamp, cancellationToken).ConfigureAwait(false);
            foreach (BatchLocation b in tail)
            {
                if (b.Header.AppendTime >= timestamp && b.Header.RecordCount > 0)
                {
                    found = b.Header.BaseOffset;
                    break;
                }
            }

            if (tail.Count > 0 && tail[0].Header.AppendTime < timestamp)
            {
                break;
            }
        }

        return found;
    }

    private async Task<TopicPartition> ResolveAsync(string topic, int partition, CancellationToken cancellationToken)
    {
        TopicConfig config = await topics.GetAsync(topic, cancellationToken).ConfigureAwait(false);
        if (partition < 0 || partition >= config.Partitions)
        {
            throw new LogException(LogErrorKind.InvalidRequest, string.Create(CultureInfo.InvariantCulture, $"Topic '{topic}' has partitions 0 to {config.Partitions - 1}; got {partition}."));
        }

        return new TopicPartition(topic, partition);
    }

    /// <summary>
    /// The partition's ends from a possibly cached segment list: a newer segment can only exist once the last one
    /// listed is sealed, or once one listed is gone, so either sends it back to storage for the real list first.
    /// </summary>
    private async Task<PartitionOffsets> EndsAsync(TopicPartition tp, IReadOnlyList<long> segs, SegmentInfo? lastRead, CancellationToken cancellationToken)
    {
        SegmentInfo? last = segs.Count == 0 ? null
            : lastRead is { } r && r.BaseOffset == segs[^1] ? r // the fetch just read it: its properties are fresh enough
            : await segments.GetSegmentAsync(tp, segs[^1], cancellationToken).ConfigureAwait(false);
        if (last is { } l && !l.IsSealed)
        {
            (PartitionOffsets ends, bool sealedByAge) = await EndAndSealOfAsync(tp, segs[0], l, cancellationToken).ConfigureAwait(false);
            if (!sealedByAge)
            {
                return ends;
            }
        }

        return await GetOffsetsAsync(tp, await _segmentLists.GetAsync(tp, fresh: true, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The partition's ends when <paramref name="last"/> is its last segment: from its final batch's trailer.</summary>
    private async Task<PartitionOffsets> EndOfAsync(TopicPartition tp, long earliest, SegmentInfo last, CancellationToken cancellationToken) =>
        (await EndAndSealOfAsync(tp, earliest, last, cancellationToken).ConfigureAwait(false)).Ends;

    /// <summary>
    /// As <see cref="EndOfAsync"/>, and whether the final batch is a seal marker (the only batch with no offsets): then a
    /// newer segment may exist, and the caller lists again.
    /// </summary>
    private async Task<(PartitionOffsets Ends, bool SealedByAge)> EndAndSealOfAsync(TopicPartition tp, long earliest, SegmentInfo last, CancellationToken cancellationToken)
    {
        if (last.Length == 0)
        {
            return (new PartitionOffsets(earliest, last.BaseOffset), false);
        }

        byte[] trailer = new byte[RecordBatchTrailer.Size];
        await SegmentScanner.ReadExactlyAsync(segments, tp, last.Ref, last.Length - RecordBatchTrailer.Size, trailer, cancellationToken).ConfigureAwait(false);
        RecordBatchTrailer t = RecordBatchTrailer.Read(trailer);
        return (new PartitionOffsets(earliest, t.NextOffset), t.RecordCount == 0);
    }

    private async Task<PartitionOffsets> GetOffsetsAsync(TopicPartition tp, IReadOnlyList<long> segs, CancellationToken cancellationToken)
    {
        if (segs.Count == 0)
        {
            return new PartitionOffsets(0, 0);
        }

        for (int i = segs.Count - 1; i >= 0; i--)
        {
            if (await segments.GetSegmentAsync(tp, segs[i], cancellationToken).ConfigureAwait(false) is not { } info)
            {
                continue;
            }

            return await EndOfAsync(tp, segs[0], info, cancellationToken).ConfigureAwait(false);
        }

        return new PartitionOffsets(segs[0], segs[0]);
    }

    /// <summary>
    /// Byte position of the first batch in the segment whose last offset is at or after <paramref name="offset"/> (the
    /// batch holding it, or in a compacted segment the first one after the gap it fell in), or null when the offset is
    /// past the segment's end.
    /// </summary>
    private async Task<long?> LocateAsync(TopicPartition tp, SegmentInfo info, long offset, CancellationToken cancellationToken)
    {
        if (info.Length == 0)
        {
            return null;
        }

        if (_continuations.TryRemove((tp, offset), out var resume) && resume.Segment == info.Ref && resume.Position <= info.Length && resume.Until > Environment.TickCount64)
        {
            return resume.Position; // where the previous fetch stopped: the batch holding the offset, or the one after
        }

        BatchIndexEntry? entry = await index.FindByOffsetAsync(tp, offset, cancellationToken).ConfigureAwait(false);
        bool here = entry is not null && entry.Segment == info.Ref && entry.Position + entry.Length <= info.Length;
        if (here && entry!.BaseOffset <= offset)
        {
            return entry.Position;
        }

        // No entry covers the offset. When a later entry exists the index has a hole (an index write that gave up, an
        // instance recycled with entries pending) or the offset fell in a gap compaction left: walk back from that entry,
        // not from the segment's end, and write what the walk found so the next reader finds it. With no later entry
        // the index merely lags: walk the tail. An entry of another generation of the segment says nothing about this one.
        long scanFrom = info.Length;
        bool hole = false;
        if (here)
        {
            scanFrom = entry!.Position;
            hole = true;
        }
        else if (entry is not null && entry.SegmentBaseOffset > info.BaseOffset)
        {
            hole = true;
        }

        List<BatchLocation> walked = await SegmentScanner.ScanBackwardAsync(segments, tp, info.Ref, scanFrom, long.MaxValue, h => h.BaseOffset <= offset, cancellationToken).ConfigureAwait(false);
        if (hole && walked.Count > 0)
        {
            await RepairAsync(tp, walked, cancellationToken).ConfigureAwait(false);
        }

        foreach (BatchLocation b in walked)
        {
            if (b.Header.RecordCount > 0 && b.Header.LastOffset >= offset)
            {
                return b.Position;
            }
        }

        // Nothing before the entry reaches the offset: it fell in a gap, and the entry's batch is the first after it.
        return here ? scanFrom : null;
    }

    /// <summary>Writes one index entry for a run of batches a walk found unindexed. Best effort: the blobs stay the truth.</summary>
    private async Task RepairAsync(TopicPartition tp, List<BatchLocation> walked, CancellationToken cancellationToken)
    {
        List<BatchLocation> run = walked.FindAll(b => b.Header.RecordCount > 0); // never a seal marker: it holds no offsets
        if (run.Count == 0)
        {
            return;
        }

        BatchLocation first = run[0], last = run[^1];
        var entry = new BatchIndexEntry(first.Header.BaseOffset, last.Header.LastOffset, first.SegmentBaseOffset, first.Position,
            (int)Math.Min(int.MaxValue, last.Position + last.Header.BatchLength - first.Position), run.Max(b => b.Header.AppendTime), first.Generation);
        try
        {
            await index.AddAsync(tp, [entry], cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The next reader walks again; the fetch itself has what it needs.
        }
    }

    /// <summary>
    /// Reads whole batches from <paramref name="position"/> into <paramref name="records"/>: the first batch whatever its
    /// size, then only batches that fit what is left of <paramref name="budget"/>. Every pass of the loop either moves
    /// forward or reads a larger window that holds the next batch whole, so a fetch always returns.
    /// </summary>
    private async Task<ReadProgress> ReadBatchesAsync(TopicPartition tp, SegmentInfo info, long position, long next, long budget, int maxRecords, List<LogRecord> records, CancellationToken cancellationToken)
    {
        int atLeast = 0;
        long resume = position; // the first batch not wholly handed out
        bool sawMarker = false;
        while (position < info.Length && records.Count < maxRecords && budget > 0)
        {
            // Read a little more than asked: an index entry may point a few batches before the offset.
            int size = (int)Math.Min(info.Length - position, Math.Max(Math.Max(budget, MinReadBytes), atLeast));
            atLeast = 0;
            byte[] buffer = ArrayPool<byte>.Shared.Rent(size);
            try
            {
                int read = await SegmentScanner.ReadExactlyAsync(segments, tp, info.Ref, position, buffer.AsMemory(0, size), cancellationToken).ConfigureAwait(false);
                if (read < RecordBatchHeader.Size)
                {
                    throw new CorruptBatchException(string.Create(CultureInfo.InvariantCulture, $"Segment {info.BaseOffset} of {tp} is shorter than its stated length {info.Length} at byte {position}."));
                }

                long local = 0;
                while (read - local >= RecordBatchHeader.Size && records.Count < maxRecords && budget > 0)
                {
                    RecordBatchHeader header = RecordBatchHeader.Read(buffer.AsSpan((int)local));
                    if (header.RecordCount == 0)
                    {
                        next = Math.Max(next, header.NextOffset); // a seal marker: nothing follows in this segment
                        local += header.BatchLength;
                        resume = position + local;
                        sawMarker = true;
                        continue;
                    }

                    if (header.LastOffset < next)
                    {
                        local += header.BatchLength; // before the offset: skipped on its header alone
                        resume = position + local;
                        continue;
                    }

                    bool handedOut = records.Count > 0;
                    if (handedOut && header.BatchLength > budget)
                    {
                        return new ReadProgress(next, 0, false, resume, sawMarker); // only whole batches that fit follow the first
                    }

                    if (header.BatchLength > read - local)
                    {
                        // Not all in this window: read again from its start, large enough to hold it.
                        if (position + local + header.BatchLength > info.Length || (local == 0 && read < size))
                        {
                            throw new CorruptBatchException(string.Create(CultureInfo.InvariantCulture, $"Segment {info.BaseOffset} of {tp}: the batch at byte {position + local} runs past the segment's end."));
                        }

                        atLeast = header.BatchLength;
                        break;
                    }

                    int before = records.Count;
                    RecordBatchDecoder.Decode(buffer.AsMemory((int)local, header.BatchLength), next, maxRecords, records);
                    // A compacted batch may hold nothing at or after the offset: the fetch goes on past it.
                    next = records.Count == before || records[^1].Offset == header.LastOffset || records.Count < maxRecords
                        ? Math.Max(next, header.NextOffset)
                        : records[^1].Offset + 1;
                    local += header.BatchLength;
                    if (next >= header.NextOffset)
                    {
                        resume = position + local; // wholly handed out; a batch cut by maxRecords is resumed from its start
                    }
                    budget = handedOut ? budget - header.BatchLength : Math.Max(0, budget - header.BatchLength); // the first batch is handed out whatever its size
                }

                position += local;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        return new ReadProgress(next, budget, position >= info.Length, resume, sawMarker);
    }

    private void Remember(TopicPartition tp, long next, SegmentRef segment, long position)
    {
        if (_continuations.Count >= MaxContinuations)
        {
            _continuations.Clear();
        }

        _continuations[(tp, next)] = (segment, position, Environment.TickCount64 + ContinuationMs);
    }

    /// <summary>Where a read of one segment stopped.</summary>
    /// <param name="Next">The next offset to fetch.</param>
    /// <param name="Budget">Bytes left of the fetch's budget.</param>
    /// <param name="SegmentDone">True when the segment was read to its end.</param>
    /// <param name="Resume">Byte position of the first batch not wholly handed out (the segment's length when done).</param>
    /// <param name="SawSealMarker">True when a seal marker was read (a newer segment may exist).</param>
    private readonly record struct ReadProgress(long Next, long Budget, bool SegmentDone, long Resume, bool SawSealMarker);

    private static int LastAtOrBefore(IReadOnlyList<long> segs, long offset)
    {
        int found = 0;
        for (int i = 0; i < segs.Count && segs[i] <= offset; i++)
        {
            found = i;
        }

        return found;
    }

    private static LogException OutOfRange(TopicPartition tp, long offset, long earliest, long? latest) =>
        new(LogErrorKind.OffsetOutOfRange, latest is { } l
            ? string.Create(CultureInfo.InvariantCulture, $"Offset {offset} is out of range for {tp}: the log holds {earliest} to {l - 1} (end {l}).")
            : string.Create(CultureInfo.InvariantCulture, $"Offset {offset} is out of range for {tp}: the earliest kept offset is {earliest}."));
}
