namespace Platform.Core.Log.Appending;

/// <summary>Where one record of a produce call ended: its offset when it landed, the error when it did not.</summary>
/// <param name="Partition">The partition it was for.</param>
/// <param name="Offset">Its offset, when it is durable in the log.</param>
/// <param name="Error">Why it was not appended (retry it), when it is not.</param>
public readonly record struct RecordOutcome(int Partition, long? Offset, string? Error);

/// <summary>
/// Storage failed part-way through a produce call that spanned several batches: some records are durable (with their
/// offsets), the rest are not. Thrown only after the request was validated whole; refusals (400/413/429) never leave a
/// partial write.
/// </summary>
public sealed class PartialProduceException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PartialProduceException(IReadOnlyList<RecordOutcome> records, Exception cause)
        : base($"{records.Count(r => r.Offset is not null)} of {records.Count} records were appended; the others were not: {cause?.Message}", cause)
    {
        Records = records;
    }

    /// <summary>Creates the exception.</summary>
    public PartialProduceException()
    {
        Records = [];
    }

    /// <summary>Creates the exception.</summary>
    public PartialProduceException(string message)
        : base(message)
    {
        Records = [];
    }

    /// <summary>Creates the exception.</summary>
    public PartialProduceException(string message, Exception innerException)
        : base(message, innerException)
    {
        Records = [];
    }

    /// <summary>Each record of the call, in the order given.</summary>
    public IReadOnlyList<RecordOutcome> Records { get; }
}
