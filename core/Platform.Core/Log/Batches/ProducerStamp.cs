namespace Platform.Core.Log.Batches;

/// <summary>The idempotent producer fields of a batch: who wrote it and at which sequence.</summary>
public readonly record struct ProducerStamp(long ProducerId, short Epoch, int BaseSequence)
{
    /// <summary>A batch without a producer identity (no de-duplication).</summary>
    public static ProducerStamp None { get; } = new(-1, -1, -1);

    /// <summary>True when the batch carries a producer id.</summary>
    public bool IsIdempotent => ProducerId >= 0;
}
