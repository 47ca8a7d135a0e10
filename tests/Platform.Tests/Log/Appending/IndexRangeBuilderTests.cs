using Platform.Core.Log;
using Platform.Core.Log.Appending;
using Platform.Core.Log.Batches;
using Platform.Core.Storage;

namespace Platform.Tests.Log.Appending;

public sealed class IndexRangeBuilderTests
{
    private static BatchLocation Batch(long segment, long position, int length, long baseOffset, int count, long time) =>
        new(new RecordBatchHeader { BaseOffset = baseOffset, RecordCount = count, BatchLength = length, AppendTime = time }, segment, position);

    [Fact]
    public void Contiguous_batches_merge_until_the_interval_is_reached()
    {
        var builder = new IndexRangeBuilder(250);
        var done = new List<BatchIndexEntry>();
        builder.Add(Batch(0, 0, 100, 0, 2, 10), done);
        builder.Add(Batch(0, 100, 100, 2, 3, 11), done);
        Assert.Empty(done);
        builder.Add(Batch(0, 200, 100, 5, 1, 12), done);
        Assert.Equal([new BatchIndexEntry(0, 5, 0, 0, 300, 12)], done);
        Assert.False(builder.HasPending);
    }

    [Fact]
    public void A_gap_or_a_new_segment_closes_the_range()
    {
        var builder = new IndexRangeBuilder(10_000);
        var done = new List<BatchIndexEntry>();
        builder.Add(Batch(0, 0, 100, 0, 2, 10), done);
        builder.Add(Batch(0, 300, 100, 7, 1, 11), done); // another writer's batches in between
        builder.Add(Batch(8, 0, 50, 8, 1, 12), done);    // rolled
        Assert.Equal([new BatchIndexEntry(0, 1, 0, 0, 100, 10), new BatchIndexEntry(7, 7, 0, 300, 100, 11)], done);
        Assert.Equal(new BatchIndexEntry(8, 8, 8, 0, 50, 12), builder.Flush());
        Assert.Null(builder.Flush());
    }

    [Fact]
    public void A_seal_marker_gets_no_entry_and_a_compacted_gap_stays_in_one_run()
    {
        var builder = new IndexRangeBuilder(100);
        var done = new List<BatchIndexEntry>();
        builder.Add(Batch(0, 0, 100, 0, 5, 10), done);   // reaches the interval: its own entry
        builder.Add(Batch(0, 100, 104, 5, 0, 10), done); // the seal marker at the end: no entry (it would share row key 4)
        Assert.Equal([new BatchIndexEntry(0, 4, 0, 0, 100, 10)], done);
        Assert.Null(builder.Flush());

        var compacted = new IndexRangeBuilder(10_000);
        compacted.Add(Batch(3, 0, 100, 3, 2, 20), done);
        compacted.Add(Batch(3, 100, 100, 9, 4, 21), done); // offsets 5-8 compacted away, bytes contiguous
        Assert.Equal(new BatchIndexEntry(3, 12, 3, 0, 200, 21), compacted.Flush());
    }
}
