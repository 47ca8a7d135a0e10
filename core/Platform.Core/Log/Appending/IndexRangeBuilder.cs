using Platform.Core.Storage;

namespace Platform.Core.Log.Appending;

/// <summary>
/// Folds consecutive batches of one partition into sparse index entries that each cover a contiguous
/// byte range of at least <c>intervalBytes</c> (Kafka's index.interval.bytes). An entry's append time
/// is its last batch's, so "first entry with append time &gt;= T" still holds the answer.
/// </summary>
internal sealed class IndexRangeBuilder(long intervalBytes)
{
    private BatchIndexEntry? _pending;

    public bool HasPending => _pending is not null;

    /// <summary>Adds a batch; returns entries that are complete (zero, one or two).</summary>
    public void Add(BatchLocation batch, List<BatchIndexEntry> completed)
    {
        if (batch.Header.RecordCount == 0)
        {
            return; // a seal marker holds no offsets: an entry for it would share the previous batch's row key
        }

        BatchIndexEntry next = batch.ToIndexEntry();
        if (_pending is { } p)
        {
            // Offsets may skip ahead (a compacted segment drops batches): the run still holds every batch in its byte range.
            bool contiguous = p.Segment == next.Segment && p.Position + p.Length == next.Position && p.LastOffset < next.BaseOffset;
            if (contiguous)
            {
                next = p with { LastOffset = next.LastOffset, Length = p.Length + next.Length, AppendTime = Math.Max(p.AppendTime, next.AppendTime) };
            }
            else
            {
                completed.Add(p);
            }
        }

        _pending = next;
        if (next.Length >= intervalBytes)
        {
            completed.Add(next);
            _pending = null;
        }
    }

    /// <summary>Completes the entry being built, if any.</summary>
    public BatchIndexEntry? Flush()
    {
        BatchIndexEntry? p = _pending;
        _pending = null;
        return p;
    }
}
