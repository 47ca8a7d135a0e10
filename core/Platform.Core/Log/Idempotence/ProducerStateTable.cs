using Platform.Core.Log.Batches;

namespace Platform.Core.Log.Idempotence;

/// <summary>What a writer must do with a producer's batch.</summary>
internal enum ProducerCheck
{
    /// <summary>Append it.</summary>
    Accept,

    /// <summary>Already in the log: answer with the original offsets.</summary>
    Duplicate,

    /// <summary>The sequence is not the next one.</summary>
    OutOfOrder,

    /// <summary>A newer epoch of this producer has written.</summary>
    Fenced,
}

/// <summary>
/// Per-partition state of idempotent producers, derived from the batches in the log: epoch, last
/// sequence and the last five batches of each producer, as Kafka keeps them.
/// </summary>
internal sealed class ProducerStateTable
{
    public const int RememberedBatches = 5;

    private readonly Dictionary<long, Entry> _producers = [];

    public int Count => _producers.Count;

    public (ProducerCheck Check, BatchMetadata Original, int ExpectedSequence) Check(ProducerStamp stamp, int recordCount)
    {
        if (!stamp.IsIdempotent || !_producers.TryGetValue(stamp.ProducerId, out Entry? entry))
        {
            // Unknown producers are accepted: their history may be older than the scanned window.
            return (ProducerCheck.Accept, default, 0);
        }

        if (stamp.Epoch < entry.Epoch)
        {
            return (ProducerCheck.Fenced, default, 0);
        }

        if (stamp.Epoch > entry.Epoch)
        {
            return stamp.BaseSequence == 0 ? (ProducerCheck.Accept, default, 0) : (ProducerCheck.OutOfOrder, default, 0);
        }

        int lastSequence = stamp.BaseSequence + recordCount - 1;
        foreach (BatchMetadata batch in entry.Recent)
        {
            if (batch.BaseSequence == stamp.BaseSequence && batch.LastSequence == lastSequence)
            {
                return (ProducerCheck.Duplicate, batch, 0);
            }
        }

        int expected = entry.LastSequence + 1;
        return stamp.BaseSequence == expected ? (ProducerCheck.Accept, default, expected) : (ProducerCheck.OutOfOrder, default, expected);
    }

    public void Record(in RecordBatchHeader header)
    {
        if (header.ProducerId < 0)
        {
            return;
        }

        if (!_producers.TryGetValue(header.ProducerId, out Entry? entry))
        {
            entry = new Entry { Epoch = header.ProducerEpoch };
            _producers.Add(header.ProducerId, entry);
        }
        else if (header.ProducerEpoch > entry.Epoch)
        {
            entry.Epoch = header.ProducerEpoch;
            entry.Recent.Clear();
        }

        entry.LastSequence = header.LastSequence;
        entry.Recent.Enqueue(new BatchMetadata(header.BaseSequence, header.LastSequence, header.BaseOffset, header.LastOffset, header.AppendTime));
        while (entry.Recent.Count > RememberedBatches)
        {
            entry.Recent.Dequeue();
        }
    }

    internal readonly record struct BatchMetadata(int BaseSequence, int LastSequence, long BaseOffset, long LastOffset, long AppendTime);

    private sealed class Entry
    {
        public short Epoch { get; set; }

        public int LastSequence { get; set; } = -1;

        public Queue<BatchMetadata> Recent { get; } = new(RememberedBatches + 1);
    }
}
