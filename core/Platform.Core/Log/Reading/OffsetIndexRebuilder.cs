using Platform.Core.Storage;

namespace Platform.Core.Log.Reading;

/// <summary>Rebuilds a partition's offset and time index from its segments: the blobs are the truth.</summary>
public sealed class OffsetIndexRebuilder(ISegmentStore segments, IOffsetIndex index)
{
    /// <summary>Re-indexes every batch of the partition; returns how many batches were indexed.</summary>
    public async Task<int> RebuildAsync(TopicPartition partition, CancellationToken cancellationToken)
    {
        int count = 0;
        foreach (long seg in await segments.ListSegmentsAsync(partition, cancellationToken).ConfigureAwait(false))
        {
            if (await segments.GetSegmentAsync(partition, seg, cancellationToken).ConfigureAwait(false) is not { } info)
            {
                continue;
            }

            List<BatchLocation> batches = await SegmentScanner.ScanForwardAsync(segments, partition, seg, 0, info.Length, cancellationToken).ConfigureAwait(false);
            BatchIndexEntry[] entries = [.. batches.Where(b => b.Header.RecordCount > 0).Select(b => b.ToIndexEntry())];
            if (entries.Length > 0)
            {
                await index.AddAsync(partition, entries, cancellationToken).ConfigureAwait(false);
            }

            count += entries.Length;
        }

        return count;
    }
}
