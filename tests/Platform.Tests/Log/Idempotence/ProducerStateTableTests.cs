using Platform.Core.Log.Batches;
using Platform.Core.Log.Idempotence;

namespace Platform.Tests.Log.Idempotence;

public sealed class ProducerStateTableTests
{
    private static RecordBatchHeader Batch(long pid, short epoch, int seq, int count, long baseOffset, long appendTime = 0) => new()
    {
        ProducerId = pid, ProducerEpoch = epoch, BaseSequence = seq, RecordCount = count, BaseOffset = baseOffset, AppendTime = appendTime,
    };

    [Fact]
    public void A_tail_read_twice_keeps_the_newer_epoch_and_never_takes_its_batches_for_the_old_ones()
    {
        // Regression: a reload recorded the tail again without clearing, so epoch 0's batches went back into the
        // epoch-1 producer's window and a new epoch-1 batch at sequence 0 was taken for a duplicate (records lost).
        var table = new ProducerStateTable();
        RecordBatchHeader[] tail = [Batch(7, 0, 0, 3, 0), Batch(7, 0, 3, 2, 3), Batch(7, 1, 0, 4, 5)];
        foreach (var b in tail)
        {
            table.Record(b);
        }

        foreach (var b in tail)
        {
            table.Record(b);
        }

        var (check, original, _) = table.Check(new ProducerStamp(7, 1, 0), 4);
        Assert.Equal((ProducerCheck.Duplicate, 5L), (check, original.BaseOffset));
        Assert.Equal(ProducerCheck.Accept, table.Check(new ProducerStamp(7, 1, 4), 1).Check);
        Assert.Equal(ProducerCheck.Fenced, table.Check(new ProducerStamp(7, 0, 5), 1).Check);

        table.Record(Batch(8, 1, 0, 3, 9));
        table.Record(Batch(8, 0, 0, 3, 12)); // an older epoch after a newer one is not the producer's state
        Assert.Equal(ProducerCheck.Duplicate, table.Check(new ProducerStamp(8, 1, 0), 3).Check);
        Assert.Equal(ProducerCheck.Accept, table.Check(new ProducerStamp(8, 1, 3), 1).Check);
    }

    [Fact]
    public void Producers_expire_after_the_expiration_in_log_time_and_the_count_is_bounded()
    {
        var evicted = new List<(ProducerEviction Reason, int Count)>();
        var table = new ProducerStateTable(TimeSpan.FromMinutes(10), 100, (r, n) => evicted.Add((r, n)));
        long t0 = 1_700_000_000_000;
        table.Record(Batch(1, 0, 0, 1, 0, t0));
        table.Record(Batch(2, 0, 0, 1, 1, t0 + 60_000));
        table.Record(Batch(3, 0, 0, 1, 2, t0 + 11 * 60_000)); // producer 1 is now 11 minutes behind the log
        Assert.Equal(ProducerCheck.Accept, table.Check(new ProducerStamp(1, 0, 0), 1).Check); // forgotten: new again
        Assert.Equal(ProducerCheck.Duplicate, table.Check(new ProducerStamp(2, 0, 0), 1).Check);
        Assert.Contains((ProducerEviction.Expired, 1), evicted);

        for (int i = 0; i < 150; i++)
        {
            table.Record(Batch(1000 + i, 0, 0, 1, 10 + i, t0 + 11 * 60_000 + i));
        }

        Assert.InRange(table.Count, 1, 100);
        Assert.Contains(evicted, e => e.Reason == ProducerEviction.Limit);
        Assert.Equal(ProducerCheck.Duplicate, table.Check(new ProducerStamp(1149, 0, 0), 1).Check); // the newest are kept
    }

    [Fact]
    public void The_remembered_batches_are_duplicates_and_older_ones_are_out_of_order()
    {
        var table = new ProducerStateTable();
        int n = ProducerStateTable.RememberedBatches + 2;
        for (int i = 0; i < n; i++)
        {
            table.Record(Batch(9, 0, i * 2, 2, 100 + i * 2));
        }

        for (int i = 2; i < n; i++)
        {
            var (check, original, _) = table.Check(new ProducerStamp(9, 0, i * 2), 2);
            Assert.Equal(ProducerCheck.Duplicate, check);
            Assert.Equal(100 + i * 2, original.BaseOffset);
        }

        Assert.Equal(ProducerCheck.OutOfOrder, table.Check(new ProducerStamp(9, 0, 0), 2).Check);
        Assert.Equal(ProducerCheck.Accept, table.Check(new ProducerStamp(9, 0, n * 2), 3).Check);
        Assert.Equal((ProducerCheck.OutOfOrder, n * 2), (table.Check(new ProducerStamp(9, 0, n * 2 + 1), 1).Check, table.Check(new ProducerStamp(9, 0, n * 2 + 1), 1).ExpectedSequence));
    }

    [Fact]
    public void Epochs_fence_older_producers_and_restart_sequences()
    {
        var table = new ProducerStateTable();
        table.Record(Batch(5, 1, 0, 10, 0));
        Assert.Equal(ProducerCheck.Fenced, table.Check(new ProducerStamp(5, 0, 10), 1).Check);
        Assert.Equal(ProducerCheck.Accept, table.Check(new ProducerStamp(5, 2, 0), 1).Check);
        Assert.Equal(ProducerCheck.OutOfOrder, table.Check(new ProducerStamp(5, 2, 3), 1).Check);
        Assert.Equal(ProducerCheck.Accept, table.Check(new ProducerStamp(6, 0, 123), 1).Check);
        Assert.Equal(ProducerCheck.Accept, table.Check(ProducerStamp.None, 1).Check);
    }
}
