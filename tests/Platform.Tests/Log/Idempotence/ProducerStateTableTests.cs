using Platform.Core.Log.Batches;
using Platform.Core.Log.Idempotence;

namespace Platform.Tests.Log.Idempotence;

public sealed class ProducerStateTableTests
{
    private static RecordBatchHeader Batch(long pid, short epoch, int seq, int count, long baseOffset) => new()
    {
        ProducerId = pid, ProducerEpoch = epoch, BaseSequence = seq, RecordCount = count, BaseOffset = baseOffset,
    };

    [Fact]
    public void The_last_five_batches_are_duplicates_and_older_ones_are_out_of_order()
    {
        var table = new ProducerStateTable();
        for (int i = 0; i < 7; i++)
        {
            table.Record(Batch(9, 0, i * 2, 2, 100 + i * 2));
        }

        for (int i = 2; i < 7; i++)
        {
            var (check, original, _) = table.Check(new ProducerStamp(9, 0, i * 2), 2);
            Assert.Equal(ProducerCheck.Duplicate, check);
            Assert.Equal(100 + i * 2, original.BaseOffset);
        }

        Assert.Equal(ProducerCheck.OutOfOrder, table.Check(new ProducerStamp(9, 0, 0), 2).Check);
        Assert.Equal(ProducerCheck.Accept, table.Check(new ProducerStamp(9, 0, 14), 3).Check);
        Assert.Equal((ProducerCheck.OutOfOrder, 14), (table.Check(new ProducerStamp(9, 0, 15), 1).Check, table.Check(new ProducerStamp(9, 0, 15), 1).ExpectedSequence));
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
