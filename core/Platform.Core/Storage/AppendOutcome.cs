namespace Platform.Core.Storage;

/// <summary>How a conditional append ended when the service gave a definite answer.</summary>
public enum AppendStatus
{
    /// <summary>The block is durable at the expected position.</summary>
    Appended,

    /// <summary>The segment's length was not the expected position (412 AppendPositionConditionNotMet): another writer won.</summary>
    PositionMismatch,

    /// <summary>The segment would exceed the max-size condition (412 MaxBlobSizeConditionNotMet).</summary>
    MaxSizeExceeded,

    /// <summary>The segment blob does not exist.</summary>
    SegmentMissing,
}

/// <summary>The outcome of a conditional append; ambiguous failures are exceptions, not outcomes.</summary>
/// <param name="Status">What happened.</param>
/// <param name="CommittedBlockCount">Blocks in the segment after the append (only when appended).</param>
public readonly record struct AppendOutcome(AppendStatus Status, int CommittedBlockCount = 0);
