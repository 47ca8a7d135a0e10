using System.Collections.Concurrent;
using System.Diagnostics;
using Platform.Core.Storage;

namespace Platform.Core.Log.Reading;

/// <summary>
/// The last segment list read per partition, so that a steady consumer does not list the partition's blobs on every
/// fetch. The reader asks for a fresh one whenever the cached one could be behind (the last listed segment sealed, one
/// listed gone, an offset below the first); entries are also refreshed after 30 seconds whatever happens.
/// </summary>
internal sealed class SegmentListCache(ISegmentStore segments)
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<TopicPartition, (IReadOnlyList<long> Segments, long ReadAt)> _lists = new();

    /// <summary>The partition's segments: the cached list unless <paramref name="fresh"/> or too old.</summary>
    public async Task<IReadOnlyList<long>> GetAsync(TopicPartition partition, bool fresh, CancellationToken cancellationToken)
    {
        if (!fresh && _lists.TryGetValue(partition, out var cached) && Stopwatch.GetElapsedTime(cached.ReadAt) < MaxAge)
        {
            return cached.Segments;
        }

        long readAt = Stopwatch.GetTimestamp();
        IReadOnlyList<long> list = await segments.ListSegmentsAsync(partition, cancellationToken).ConfigureAwait(false);
        _lists[partition] = (list, readAt);
        return list;
    }
}
