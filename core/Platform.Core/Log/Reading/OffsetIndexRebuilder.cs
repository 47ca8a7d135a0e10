using Microsoft.Extensions.Options;
using Platform.Core.Log.Appending;
using Platform.Core.Options;
using Platform.Core.Storage;

namespace Platform.Core.Log.Reading;

/// <summary>Rebuilds a partition's offset and time index from its segments: the blobs are the truth.</summary>
public sealed class OffsetIndexRebuilder(ISegmentStore segments, IOffsetIndex index, IOptions<LogOptions> options)
{
    /// <summary>Re-indexes every batch of the partition; returns how many index entries were written.</summary>
    public async Task<int> RebuildAsync(TopicPartition partition, CancellationToken cancellationToken)
    {
        int count = 0;
        foreach (long seg in await segments.ListSegmentsAsync(partition, cancellationToken).ConfigureAwait(false))
        {
            if (await segments.GetSegmentAsync(partition, seg, cancellationToken).ConfigureAwait(false) is not { } info)
            {
                continue;
            }

            List<BatchLocation> batches = await SegmentScanner.ScanForwardAsync(segments, partition, info.Ref, 0, info.Length, cancellationToken).ConfigureAwait(false);
            var builder = new IndexRangeBuilder(options.Value.IndexIntervalBytes);
            var entries = new List<BatchIndexEntry>();
            foreach (BatchLocation batch in batches)
            {
                if (batch.Header.RecordCount > 0)
                {
                    builder.Add(batch, entries);
                }
            }

            if (builder.Flush() is { } last)
            {
                entries.Add(last);
            }

            if (entries.Count > 0)
            {
                await index.AddAsync(partition, entries, cancellationToken).ConfigureAwait(false);
            }

            count += entries.Count;
        }

        return count;
    }
}
