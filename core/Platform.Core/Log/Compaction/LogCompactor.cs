using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Core.Consumers;
using Platform.Core.Log.Appending;
using Platform.Core.Log.Batches;
using Platform.Core.Log.Topics;
using Platform.Core.Options;
using Platform.Core.Storage;

namespace Platform.Core.Log.Compaction;

/// <summary>
/// Log compaction (Kafka's log cleaner) for topics whose cleanup policy is compact or compact,delete: the last record
/// of every key is kept, earlier ones go, and tombstones go once they are older than the topic's DeleteRetentionMs.
/// Offsets never change (a compacted batch keeps its base offset and the span of offsets it covered), the active
/// segment is never touched, and records younger than MinCompactionLagMs are left alone.
/// <para>
/// A pass maps the last offset of every key in the segments never compacted (the dirty part, when it is at least
/// MinCleanableDirtyRatio of the compactable bytes or older than MaxCompactionLagMs), then rewrites every compactable
/// segment up to the last one mapped into generation n + 1 beside generation n: committed whole, so a reader sees one
/// generation or the other, never a mix. The index follows, then generation n is deleted. A compactor that dies at any
/// step leaves both generations complete; the next pass finishes the job.
/// </para>
/// </summary>
public sealed partial class LogCompactor(TopicManager topics, ISegmentStore segments, IOffsetIndex index, IOptions<LogOptions> options, TimeProvider time, ILogger<LogCompactor> logger, IOwnershipStore? ownership = null)
{
    /// <summary>The claim group compactors take partitions under, one compactor per partition at a time.</summary>
    public const string ClaimGroup = "$compactor";

    private const int StageBytes = 4 * 1024 * 1024;

    private readonly string _owner = $"compactor-{Environment.MachineName[..Math.Min(20, Environment.MachineName.Length)]}-{Guid.NewGuid():N}";

    /// <summary>One pass over every partition of every compacted topic that this instance can claim.</summary>
    public async Task<IReadOnlyList<CompactionResult>> CompactAllAsync(CancellationToken cancellationToken)
    {
        var results = new List<CompactionResult>();
        foreach (TopicConfig topic in await topics.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!topic.IsCompacted)
            {
                continue;
            }

            OwnershipSnapshot? snapshot = ownership is null ? null : await ownership.ListAsync(ClaimGroup, topic.Name, cancellationToken).ConfigureAwait(false);
            for (int p = 0; p < topic.Partitions; p++)
            {
                PartitionClaim? claim = null;
                long claimedAt = time.GetTimestamp();
                if (ownership is not null && snapshot is not null)
                {
                    PartitionClaim? current = snapshot.Claims.FirstOrDefault(c => c.Partition == p);
                    if (current is not null && current.IsLive(snapshot.StorageNow) && current.Owner != _owner)
                    {
                        continue; // another instance is compacting it
                    }

                    claim = await ownership.TryClaimAsync(ClaimGroup, topic.Name, p, _owner, current, options.Value.CompactionClaim, cancellationToken).ConfigureAwait(false);
                    if (claim is null)
                    {
                        continue;
                    }
                }

                int partition = p;
                async Task<bool> StillMineAsync(CancellationToken ct)
                {
                    // Renewed once half of it has gone by; a claim lost to another compactor ends this pass before its next commit.
                    if (ownership is null || claim is null || time.GetElapsedTime(claimedAt) < options.Value.CompactionClaim / 2)
                    {
                        return true;
                    }

                    PartitionClaim? renewed = await ownership.TryClaimAsync(ClaimGroup, topic.Name, partition, _owner, claim, options.Value.CompactionClaim, ct).ConfigureAwait(false);
                    if (renewed is null)
                    {
                        return false;
                    }

                    (claim, claimedAt) = (renewed, time.GetTimestamp());
                    return true;
                }

                try
                {
                    CompactionResult result = await CompactAsync(topic, new TopicPartition(topic.Name, p), StillMineAsync, cancellationToken).ConfigureAwait(false);
                    if (result.SegmentsRewritten > 0)
                    {
                        results.Add(result);
                        LogCompacted(logger, topic.Name, p, result.SegmentsRewritten, result.BytesBefore, result.BytesAfter, result.RecordsRemoved, result.TombstonesRemoved);
                    }
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    // One partition's trouble does not stop the others; whatever it left is finished on the next pass.
                    LogFailed(logger, e, topic.Name, p);
                }
                finally
                {
                    if (claim is not null && ownership is not null)
                    {
                        await ReleaseAsync(ownership, topic.Name, claim).ConfigureAwait(false);
                    }
                }
            }
        }

        return results;
    }

    /// <summary>Compacts one partition now if its dirty ratio or lag says so (no claim: the caller holds it).</summary>
    public Task<CompactionResult> CompactAsync(TopicConfig topic, TopicPartition partition, CancellationToken cancellationToken) =>
        CompactAsync(topic, partition, _ => Task.FromResult(true), cancellationToken);

    private async Task<CompactionResult> CompactAsync(TopicConfig topic, TopicPartition partition, Func<CancellationToken, Task<bool>> stillMine, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(topic);
        long now = time.GetUtcNow().ToUnixTimeMilliseconds();
        IReadOnlyList<SegmentRef> stored = await segments.ListGenerationsAsync(partition, cancellationToken).ConfigureAwait(false);
        await FinishInterruptedAsync(partition, stored, cancellationToken).ConfigureAwait(false);
        long[] bases = [.. stored.Select(s => s.BaseOffset).Distinct()];
        var empty = new CompactionResult(partition, 0, 0, 0, 0, 0, 0);
        List<Compactable> cleanable = await CompactableAsync(topic, partition, bases, now, cancellationToken).ConfigureAwait(false);
        long dirtyBytes = cleanable.Where(c => c.Info.Generation == 0).Sum(c => c.Info.Length);
        long totalBytes = cleanable.Sum(c => c.Info.Length);
        Compactable? firstDirty = cleanable.FirstOrDefault(c => c.Info.Generation == 0);
        bool overdue = firstDirty is not null && topic.MaxCompactionLagMs > 0 && firstDirty.FirstAppendTime <= now - topic.MaxCompactionLagMs;
        if (firstDirty is null || (dirtyBytes < topic.MinCleanableDirtyRatio * totalBytes && !overdue))
        {
            return empty;
        }

        // The key map, from the dirty segments in order, as many as the bound allows (at least one).
        var map = new KeyOffsetMap();
        long bytesRead = 0;
        int lastMapped = -1;
        for (int i = 0; i < cleanable.Count && (lastMapped < 0 || map.Count < options.Value.CompactionMaxKeys); i++)
        {
            if (cleanable[i].Info.Generation != 0)
            {
                continue;
            }

            await SegmentScanner.ForEachBatchAsync(segments, partition, cleanable[i].Info.Ref, 0, cleanable[i].Info.Length, (_, bytes) =>
            {
                BatchCompaction.Visit(bytes, (offset, key, hasKey, _) =>
                {
                    if (hasKey)
                    {
                        map.Put(key, offset);
                    }
                });
                return ValueTask.CompletedTask;
            }, cancellationToken).ConfigureAwait(false);
            bytesRead += cleanable[i].Info.Length;
            lastMapped = i;
        }

        int rewritten = 0;
        long before = 0, after = 0, removed = 0, tombstones = 0;
        for (int i = 0; i <= lastMapped; i++)
        {
            Compactable c = cleanable[i];
            if (c.Info.Generation > 0 && !await AnythingToRemoveAsync(topic, partition, c, map, now, cancellationToken).ConfigureAwait(false))
            {
                bytesRead += c.Info.Length;
                continue;
            }

            Rewritten? done = await RewriteAsync(topic, partition, c, map, now, stillMine, cancellationToken).ConfigureAwait(false);
            bytesRead += c.Info.Length;
            if (done is not { } r)
            {
                break; // another compactor, or retention, got there first: stop here, the log is whole either way
            }

            rewritten++;
            before += c.Info.Length;
            after += r.Bytes;
            removed += r.Removed;
            tombstones += r.Tombstones;
        }

        return new CompactionResult(partition, rewritten, bytesRead, before, after, removed, tombstones);
    }

    /// <summary>The sealed segments, oldest first, up to the first one with records younger than the minimum lag.</summary>
    private async Task<List<Compactable>> CompactableAsync(TopicConfig topic, TopicPartition partition, long[] bases, long now, CancellationToken cancellationToken)
    {
        var result = new List<Compactable>();
        for (int i = 0; i < bases.Length - 1; i++)
        {
            if (await segments.GetSegmentAsync(partition, bases[i], cancellationToken).ConfigureAwait(false) is not { } info)
            {
                break; // retention is deleting from the front: try again next pass
            }

            if (info.Length == 0)
            {
                continue;
            }

            (long first, long last) = await AppendTimesAsync(partition, info, cancellationToken).ConfigureAwait(false);
            if (last > now - topic.MinCompactionLagMs)
            {
                break;
            }

            result.Add(new Compactable(info, bases[i + 1], first, last));
        }

        return result;
    }

    private async Task<(long First, long Last)> AppendTimesAsync(TopicPartition partition, SegmentInfo info, CancellationToken cancellationToken)
    {
        RecordBatchHeader first = await SegmentScanner.FirstHeaderAsync(segments, partition, info.Ref, cancellationToken).ConfigureAwait(false);
        List<BatchLocation> last = await SegmentScanner.ScanBackwardAsync(segments, partition, info.Ref, info.Length, 1, _ => true, cancellationToken).ConfigureAwait(false);
        return (first.AppendTime, last[^1].Header.AppendTime);
    }

    private async Task<bool> AnythingToRemoveAsync(TopicConfig topic, TopicPartition partition, Compactable c, KeyOffsetMap map, long now, CancellationToken cancellationToken)
    {
        bool found = false;
        await SegmentScanner.ForEachBatchAsync(segments, partition, c.Info.Ref, 0, c.Info.Length, (batch, bytes) =>
        {
            if (!found)
            {
                bool expired = batch.Header.AppendTime < now - topic.DeleteRetentionMs;
                BatchCompaction.Visit(bytes, (offset, key, hasKey, tombstone) => found |= hasKey && (offset < map.LastOffsetOf(key) || (tombstone && expired)));
            }

            return ValueTask.CompletedTask;
        }, cancellationToken).ConfigureAwait(false);
        return found;
    }

    /// <summary>Writes generation n + 1 of one segment, points the index at it and deletes generation n; null when it lost a race.</summary>
    private async Task<Rewritten?> RewriteAsync(TopicConfig topic, TopicPartition partition, Compactable c, KeyOffsetMap map, long now, Func<CancellationToken, Task<bool>> stillMine, CancellationToken cancellationToken)
    {
        var next = new SegmentRef(c.Info.BaseOffset, c.Info.Generation + 1);
        ISegmentUpload upload = segments.BeginRewrite(partition, next);
        using var output = new PooledBufferWriter(StageBytes + (StageBytes / 4));
        var builder = new IndexRangeBuilder(options.Value.IndexIntervalBytes);
        var entries = new List<BatchIndexEntry>();
        long staged = 0, removed = 0, tombstones = 0;
        await SegmentScanner.ForEachBatchAsync(segments, partition, c.Info.Ref, 0, c.Info.Length, async (batch, bytes) =>
        {
            bool expired = batch.Header.AppendTime < now - topic.DeleteRetentionMs;
            // An emptied batch stays (as a header with no records) when it ends its segment, and when a client's
            // idempotent producer may still retry it: writers recognise a retry by its batch (Kafka, too, keeps
            // producers' batches through compaction). Appenders' own batches are never retried after the call.
            bool keepEmpty = batch.Position + batch.Header.BatchLength == c.Info.Length
                || (ProducerStamp.IsClientProducer(batch.Header.ProducerId) && batch.Header.AppendTime > now - (long)options.Value.ProducerIdExpiration.TotalMilliseconds);
            int start = output.WrittenCount;
            BatchRewrite result = BatchCompaction.Rewrite(bytes, (offset, key, hasKey, tombstone) =>
            {
                if (!hasKey || (offset >= map.LastOffsetOf(key) && !(tombstone && expired)))
                {
                    return true;
                }

                if (tombstone && offset >= map.LastOffsetOf(key))
                {
                    tombstones++;
                }

                return false;
            }, keepEmpty, output);
            removed += result.Removed;
            if (result.BytesWritten > 0)
            {
                RecordBatchHeader written = RecordBatchHeader.Read(output.WrittenSpan[start..]);
                builder.Add(new BatchLocation(written, next.BaseOffset, staged + start, next.Generation), entries);
            }

            if (output.WrittenCount >= StageBytes)
            {
                await upload.StageAsync(output.WrittenMemory, cancellationToken).ConfigureAwait(false);
                staged += output.WrittenCount;
                output.Reset();
            }
        }, cancellationToken).ConfigureAwait(false);
        if (output.WrittenCount > 0)
        {
            await upload.StageAsync(output.WrittenMemory, cancellationToken).ConfigureAwait(false);
            staged += output.WrittenCount;
        }

        if (builder.Flush() is { } pending)
        {
            entries.Add(pending);
        }

        if (!await stillMine(cancellationToken).ConfigureAwait(false)
            || await topics.FindStoredAsync(topic.Name, cancellationToken).ConfigureAwait(false) is not { DeletedAt: 0 } live || live.CreatedAt != topic.CreatedAt
            || !await upload.CommitAsync(cancellationToken).ConfigureAwait(false))
        {
            return null; // the claim went to another compactor, it committed this generation first, or the topic was deleted
        }

        await index.ReplaceAsync(partition, new IndexSpan(c.Info.BaseOffset, c.End, c.FirstAppendTime, c.LastAppendTime), entries, cancellationToken).ConfigureAwait(false);
        // The old generation may be gone already (another compactor finished this swap, a retried delete, retention):
        // the new one is never deleted on that guess. If retention had deleted the segment, its next run deletes it again.
        await segments.DeleteGenerationAsync(partition, c.Info.Ref, cancellationToken).ConfigureAwait(false);
        return new Rewritten(staged, removed - tombstones, tombstones);
    }

    /// <summary>
    /// A pass that died after committing a new generation left the old one beside it: the new one is complete (it was
    /// committed whole), so the index is pointed at it and the old one deleted.
    /// </summary>
    private async Task FinishInterruptedAsync(TopicPartition partition, IReadOnlyList<SegmentRef> stored, CancellationToken cancellationToken)
    {
        foreach (IGrouping<long, SegmentRef> segment in stored.GroupBy(s => s.BaseOffset).Where(g => g.Count() > 1))
        {
            SegmentRef newest = segment.MaxBy(s => s.Generation);
            long end = stored.Select(s => s.BaseOffset).Where(b => b > segment.Key).DefaultIfEmpty(long.MaxValue).Min();
            if (end == long.MaxValue || await segments.GetGenerationAsync(partition, newest, cancellationToken).ConfigureAwait(false) is not { } info)
            {
                continue;
            }

            var builder = new IndexRangeBuilder(options.Value.IndexIntervalBytes);
            var entries = new List<BatchIndexEntry>();
            long lastTime = 0;
            await SegmentScanner.ScanForwardAsync(segments, partition, newest, 0, info.Length, b =>
            {
                builder.Add(b, entries);
                lastTime = Math.Max(lastTime, b.Header.AppendTime);
            }, cancellationToken).ConfigureAwait(false);
            if (builder.Flush() is { } pending)
            {
                entries.Add(pending);
            }

            await index.ReplaceAsync(partition, new IndexSpan(segment.Key, end, 0, lastTime), entries, cancellationToken).ConfigureAwait(false);
            foreach (SegmentRef old in segment.Where(s => s.Generation < newest.Generation))
            {
                await segments.DeleteGenerationAsync(partition, old, cancellationToken).ConfigureAwait(false);
            }

            LogFinished(logger, partition.Topic, partition.Partition, segment.Key, newest.Generation);
        }
    }

    private async Task ReleaseAsync(IOwnershipStore store, string topic, PartitionClaim claim)
    {
        try
        {
            await store.ReleaseAsync(ClaimGroup, topic, claim, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogReleaseFailed(logger, e, topic, claim.Partition); // the claim lapses by itself
        }
    }

    private sealed record Compactable(SegmentInfo Info, long End, long FirstAppendTime, long LastAppendTime);

    private readonly record struct Rewritten(long Bytes, long Removed, long Tombstones);

    [LoggerMessage(Level = LogLevel.Information, Message = "Compacted {Topic}/{Partition}: {Segments} segments, {Before} → {After} bytes, {Removed} superseded records and {Tombstones} tombstones removed")]
    private static partial void LogCompacted(ILogger logger, string topic, int partition, int segments, long before, long after, long removed, long tombstones);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Compaction failed on {Topic}/{Partition}; it is tried again on the next pass")]
    private static partial void LogFailed(ILogger logger, Exception exception, string topic, int partition);

    [LoggerMessage(Level = LogLevel.Information, Message = "Finished an interrupted compaction of {Topic}/{Partition} segment {Segment}: generation {Generation} kept")]
    private static partial void LogFinished(ILogger logger, string topic, int partition, long segment, int generation);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not release the compaction claim on {Topic}/{Partition}")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, string topic, int partition);
}
