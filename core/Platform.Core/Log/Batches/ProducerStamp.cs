namespace Platform.Core.Log.Batches;

/// <summary>The idempotent producer fields of a batch: who wrote it and at which sequence.</summary>
public readonly record struct ProducerStamp(long ProducerId, short Epoch, int BaseSequence)
{
    /// <summary>A batch without a producer identity (no de-duplication).</summary>
    public static ProducerStamp None { get; } = new(-1, -1, -1);

    /// <summary>
    /// Bit 62 marks the identities appenders give themselves (each appender's own batches, retried only within one
    /// append call); producer ids of clients (from an Idempotency-Key) never have it.
    /// </summary>
    public const long AppenderBit = 0x4000_0000_0000_0000;

    /// <summary>The mask that keeps a client producer id clear of <see cref="AppenderBit"/> and the sign.</summary>
    public const long ClientIdMask = 0x3FFF_FFFF_FFFF_FFFF;

    /// <summary>True when the batch carries a producer id.</summary>
    public bool IsIdempotent => ProducerId >= 0;

    /// <summary>True when a client may retry this batch later (an Idempotency-Key producer, not an appender's own identity).</summary>
    public static bool IsClientProducer(long producerId) => producerId >= 0 && (producerId & AppenderBit) == 0;
}
