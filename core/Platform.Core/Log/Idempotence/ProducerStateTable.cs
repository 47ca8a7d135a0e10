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

/// <summary>Why a producer id was forgotten.</summary>
internal enum ProducerEviction
{
    /// <summary>Its last batch is older than the expiration (Kafka's producer.id.expiration.ms).</summary>
    Expired,

    /// <summary>The partition tracks the most producers it may; the least recently appended went.</summary>
    Limit,
}

/// <summary>
/// Per-partition state of idempotent producers, derived from the batches in the log: epoch, last sequence and the
/// last <see cref="RememberedBatches"/> batches of each producer. Bounded as Kafka bounds it: a producer whose last
/// batch is older than <c>expiration</c> (measured in log append time, so every writer agrees) is forgotten, and so is
/// the least recently appended one when more than <c>maxProducers</c> are tracked. A forgotten producer is new again.
/// </summary>
internal sealed class ProducerStateTable(TimeSpan expiration, int maxProducers, Action<ProducerEviction, int>? evicted = null)
{
    /// <summary>
    /// Batches remembered per producer. Kafka keeps 5 (its in-flight limit); an HTTP request with an Idempotency-Key
    /// may be split into up to this many batches per partition and still be recognised whole when retried.
    /// </summary>
    public const int RememberedBatches = 16;

    private readonly Dictionary<long, Entry> _producers = [];
    private readonly long _expirationMs = (long)expiration.TotalMilliseconds;
    private long _latestAppendTime;
    private long _nextExpirySweep;

    /// <summary>A table with the defaults of <see cref="Options.LogOptions"/>.</summary>
    public ProducerStateTable()
        : this(TimeSpan.FromDays(1), 50_000)
    {
    }

    public int Count => _producers.Count;

    public void Clear() => _producers.Clear();

    /// <summary>The epoch a producer last wrote with, or null when it is not known.</summary>
    public short? KnownEpoch(long producerId) => _producers.TryGetValue(producerId, out Entry? entry) ? entry.Epoch : null;

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
            if (batch.Epoch == stamp.Epoch && batch.BaseSequence == stamp.BaseSequence && batch.LastSequence == lastSequence)
            {
                return (ProducerCheck.Duplicate, batch, 0);
            }
        }

        int expected = entry.LastSequence + 1;
        return stamp.BaseSequence == expected ? (ProducerCheck.Accept, default, expected) : (ProducerCheck.OutOfOrder, default, expected);
    }

    /// <summary>Folds a batch of the log into the state, in log order; batches already folded in are ignored.</summary>
    public void Record(in RecordBatchHeader header)
    {
        _latestAppendTime = Math.Max(_latestAppendTime, header.AppendTime);
        if (header.ProducerId >= 0)
        {
            RecordProducer(header);
        }

        if (_latestAppendTime >= _nextExpirySweep)
        {
            Expire();
        }
    }

    private void RecordProducer(in RecordBatchHeader header)
    {
        if (!_producers.TryGetValue(header.ProducerId, out Entry? entry))
        {
            entry = new Entry { Epoch = header.ProducerEpoch, LastAppendTime = header.AppendTime };
            _producers.Add(header.ProducerId, entry);
            if (_producers.Count > maxProducers)
            {
                EvictOldest();
            }
        }
        else if (header.BaseOffset <= entry.LastBaseOffset)
        {
            return; // folded in already (the same tail read twice)
        }
        else if (header.ProducerEpoch < entry.Epoch)
        {
            return; // a fenced epoch's batch can never follow a newer epoch's in the log; it is not the producer's state
        }
        else if (header.ProducerEpoch > entry.Epoch)
        {
            entry.Epoch = header.ProducerEpoch;
            entry.Recent.Clear();
            entry.LastSequence = -1;
        }

        entry.LastSequence = header.LastSequence;
        entry.LastBaseOffset = header.BaseOffset;
        entry.LastAppendTime = Math.Max(entry.LastAppendTime, header.AppendTime);
        entry.Recent.Enqueue(new BatchMetadata(header.ProducerEpoch, header.BaseSequence, header.LastSequence, header.BaseOffset, header.LastOffset, header.AppendTime));
        while (entry.Recent.Count > RememberedBatches)
        {
            entry.Recent.Dequeue();
        }
    }

    private void Expire()
    {
        long cutoff = _latestAppendTime - _expirationMs;
        int removed = 0;
        foreach ((long id, Entry e) in _producers)
        {
            if (e.LastAppendTime < cutoff)
            {
                _producers.Remove(id);
                removed++;
            }
        }

        // Sweep again when the oldest survivor could expire, and no more often than a tenth of the expiration.
        long oldest = _producers.Count == 0 ? _latestAppendTime : _producers.Values.Min(e => e.LastAppendTime);
        _nextExpirySweep = Math.Max(oldest + _expirationMs, _latestAppendTime + Math.Max(1, _expirationMs / 10));
        if (removed > 0)
        {
            evicted?.Invoke(ProducerEviction.Expired, removed);
        }
    }

    private void EvictOldest()
    {
        // Evict a tenth at once so that the sort is paid rarely (amortised O(log n) per new producer).
        int excess = _producers.Count - maxProducers + Math.Max(1, maxProducers / 10);
        long[] victims = [.. _producers.OrderBy(kv => kv.Value.LastAppendTime).Take(excess).Select(kv => kv.Key)];
        foreach (long id in victims)
        {
            _producers.Remove(id);
        }

        evicted?.Invoke(ProducerEviction.Limit, victims.Length);
    }

    internal readonly record struct BatchMetadata(short Epoch, int BaseSequence, int LastSequence, long BaseOffset, long LastOffset, long AppendTime);

    private sealed class Entry
    {
        public short Epoch { get; set; }

        public int LastSequence { get; set; } = -1;

        public long LastAppendTime { get; set; }

        public long LastBaseOffset { get; set; } = -1;

        public Queue<BatchMetadata> Recent { get; } = new(1);
    }
}
