using Microsoft.Extensions.Logging;
using Platform.Core.Log.Reading;
using Platform.Core.Log.Topics;
using Platform.Core.Storage;

namespace Platform.Core.Log.KeyedView;

/// <summary>How far the view of one partition is behind its log.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="ViewOffset">The next offset the view will apply (everything before it is in the view).</param>
/// <param name="LogEndOffset">The log's end when the view was read.</param>
public readonly record struct KeyedViewLag(int Partition, long ViewOffset, long LogEndOffset)
{
    /// <summary>Records appended and not yet in the view.</summary>
    public long Lag => Math.Max(0, LogEndOffset - ViewOffset);
}

/// <summary>
/// Keeps the keyed view of every compacted topic: reads each partition from the view's own position and applies its
/// records in order, a chunk of keys and the new position in one transaction (the latest record of a key in the chunk
/// wins; a tombstone removes the key). Exactly once by construction: a crash between chunks leaves the position at the
/// last chunk applied, and a second maintainer's chunk is refused by the position's version. A view that is lost (no
/// position) is rebuilt from the partition's earliest offset; a position retention has passed starts there too.
/// </summary>
public sealed partial class KeyedViewMaintainer(TopicManager topics, LogReader reader, IKeyedViewStore store, TimeProvider time, ILogger<KeyedViewMaintainer> logger)
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(5); // per partition and run: a long backlog does not starve the others

    /// <summary>Brings the view of every compacted topic's partitions up to their ends (within a time budget per run).</summary>
    public async Task<long> CatchUpAllAsync(CancellationToken cancellationToken)
    {
        long applied = 0;
        foreach (TopicConfig topic in await topics.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!topic.IsCompacted)
            {
                continue;
            }

            for (int p = 0; p < topic.Partitions; p++)
            {
                try
                {
                    applied += await CatchUpAsync(topic.Name, p, time.GetTimestamp(), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    LogFailed(logger, e, topic.Name, p); // the next run goes on from the view's position
                }
            }
        }

        return applied;
    }

    /// <summary>Applies what partition <paramref name="partition"/> has beyond the view's position; returns the records applied.</summary>
    public Task<long> CatchUpAsync(string topic, int partition, CancellationToken cancellationToken) =>
        CatchUpAsync(topic, partition, time.GetTimestamp(), cancellationToken);

    private async Task<long> CatchUpAsync(string topic, int partition, long started, CancellationToken cancellationToken)
    {
        var tp = new TopicPartition(topic, partition);
        KeyedViewPosition? position = await store.GetPositionAsync(tp, cancellationToken).ConfigureAwait(false);
        long offset = position?.NextOffset ?? (await reader.GetOffsetsAsync(topic, partition, cancellationToken).ConfigureAwait(false)).Earliest;
        long applied = 0;
        while (time.GetElapsedTime(started) < Budget)
        {
            FetchResult fetch;
            try
            {
                fetch = await reader.FetchAsync(topic, partition, offset, LogReader.DefaultMaxBytes, 5_000, cancellationToken).ConfigureAwait(false);
            }
            catch (LogException e) when (e.Kind == LogErrorKind.OffsetOutOfRange)
            {
                PartitionOffsets ends = await reader.GetOffsetsAsync(topic, partition, cancellationToken).ConfigureAwait(false);
                if (offset >= ends.Earliest)
                {
                    return applied; // at the end
                }

                offset = ends.Earliest; // retention passed the view (compact,delete): what it deleted is gone from the log too
                continue;
            }

            if (fetch.Records.Count == 0 && fetch.NextOffset <= offset)
            {
                return applied;
            }

            int start = 0;
            do
            {
                // A chunk: at most 99 keys and 2 MiB of keys and values, with the position, in one transaction.
                var latest = new Dictionary<string, (byte[] Key, KeyedEntry? Entry)>(StringComparer.Ordinal);
                int end = start;
                long bytes = 0;
                while (end < fetch.Records.Count && latest.Count < IKeyedViewStore.MaxChangesPerApply
                    && (end == start || bytes + Size(fetch.Records[end]) <= IKeyedViewStore.MaxBytesPerApply))
                {
                    LogRecord r = fetch.Records[end++];
                    if (r.Key is not { } key || key.Length > IKeyedViewStore.MaxKeyBytes)
                    {
                        continue; // keyless (refused on compacted topics; older ones) or too long a key: not in the view
                    }

                    bytes += Size(r);
                    byte[] k = key.ToArray();
                    latest[Convert.ToHexStringLower(k)] = (k, r.Value is { } v ? new KeyedEntry(k, v.ToArray(), r.Offset, r.Timestamp, r.AppendTime) : null);
                }

                long next = end == fetch.Records.Count ? fetch.NextOffset : fetch.Records[end - 1].Offset + 1;
                position = await store.ApplyAsync(tp, [.. latest.Values], next, position, cancellationToken).ConfigureAwait(false);
                if (position is null)
                {
                    LogMoved(logger, topic, partition);
                    return applied; // another maintainer is on it
                }

                applied += end - start;
                offset = next;
                start = end;
            }
            while (start < fetch.Records.Count);

            if (fetch.NextOffset >= fetch.LogEndOffset)
            {
                return applied;
            }
        }

        return applied;
    }

    /// <summary>Where the view of each partition stands against its log.</summary>
    public async Task<IReadOnlyList<KeyedViewLag>> LagAsync(string topic, CancellationToken cancellationToken)
    {
        TopicConfig config = await topics.GetAsync(topic, cancellationToken).ConfigureAwait(false);
        return await PartitionFanOut.ForEachAsync(config.Partitions, async (p, ct) =>
        {
            PartitionOffsets ends = await reader.GetOffsetsAsync(topic, p, ct).ConfigureAwait(false);
            KeyedViewPosition? position = await store.GetPositionAsync(new TopicPartition(topic, p), ct).ConfigureAwait(false);
            return new KeyedViewLag(p, position?.NextOffset ?? ends.Earliest, ends.Latest);
        }, cancellationToken).ConfigureAwait(false);
    }

    private static long Size(LogRecord r) => (r.Key?.Length ?? 0) + (r.Value?.Length ?? 0);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The keyed view of {Topic}/{Partition} could not catch up; the next run goes on from its position")]
    private static partial void LogFailed(ILogger logger, Exception exception, string topic, int partition);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The keyed view of {Topic}/{Partition} was moved by another maintainer")]
    private static partial void LogMoved(ILogger logger, string topic, int partition);
}
