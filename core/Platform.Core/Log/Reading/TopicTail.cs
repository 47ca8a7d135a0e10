using System.Runtime.CompilerServices;

namespace Platform.Core.Log.Reading;

/// <summary>One step of following a topic: a record of a partition (the cursor already past it), or a quiet spell.</summary>
public readonly record struct TailItem(int Partition, LogRecord? Record, long? SkippedTo);

/// <summary>
/// Follows partitions of a topic from a cursor, yielding every record once, in offset order within each partition,
/// as it is appended. Partitions are read in turn; when none has anything new it waits (growing from 100 ms to
/// <c>idlePoll</c>) and yields a quiet item, so the caller can send keep-alives. A partition whose next offset was
/// deleted by retention moves on to the earliest kept one (a <see cref="TailItem.SkippedTo"/> item says so).
/// </summary>
public sealed class TopicTail(LogReader reader, TimeProvider time)
{
    /// <summary>Follows until cancelled; <paramref name="cursor"/> moves as records are yielded.</summary>
    public async IAsyncEnumerable<TailItem> FollowAsync(string topic, StreamCursor cursor, TimeSpan idlePoll, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        var quiet = TimeSpan.FromMilliseconds(100);
        while (!cancellationToken.IsCancellationRequested)
        {
            var any = false;
            foreach (var (partition, next) in cursor.Next.ToList())
            {
                FetchResult fetch;
                long? skippedTo = null;
                try
                {
                    fetch = await reader.FetchAsync(topic, partition, next, LogReader.DefaultMaxBytes, 500, cancellationToken).ConfigureAwait(false);
                }
                catch (LogException e) when (e.Kind == LogErrorKind.OffsetOutOfRange)
                {
                    var offsets = await reader.GetOffsetsAsync(topic, partition, cancellationToken).ConfigureAwait(false);
                    if (next >= offsets.Earliest) continue; // past the end (a cursor from the future): wait for it
                    skippedTo = offsets.Earliest;
                    cursor.MoveTo(partition, offsets.Earliest);
                    fetch = new FetchResult([], offsets.Earliest, offsets.Latest);
                }
                if (skippedTo is { } to) yield return new TailItem(partition, null, to);
                foreach (var record in fetch.Records)
                {
                    cursor.Advance(partition, record.Offset);
                    any = true;
                    yield return new TailItem(partition, record, null);
                }
                if (fetch.Records.Count == 0 && fetch.NextOffset > next)
                {
                    cursor.MoveTo(partition, fetch.NextOffset); // offsets compaction emptied: past them
                    any = true;
                }
            }
            if (any)
            {
                quiet = TimeSpan.FromMilliseconds(100);
                continue;
            }
            yield return new TailItem(-1, null, null);
            await Task.Delay(quiet, time, cancellationToken).ConfigureAwait(false);
            quiet = TimeSpan.FromTicks(Math.Min(quiet.Ticks * 2, idlePoll.Ticks));
        }
    }
}
