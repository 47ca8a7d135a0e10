namespace Platform.Core.Log;

/// <summary>What kind of failure a <see cref="LogException"/> reports; hosts map it to a status code.</summary>
public enum LogErrorKind
{
    /// <summary>The request is invalid (400).</summary>
    InvalidRequest,

    /// <summary>The topic already exists (409).</summary>
    TopicAlreadyExists,

    /// <summary>A record or batch is larger than allowed (413).</summary>
    RecordTooLarge,

    /// <summary>The offset is outside the log (416 / Kafka's OFFSET_OUT_OF_RANGE).</summary>
    OffsetOutOfRange,

    /// <summary>An idempotent producer's sequence is not the next one (Kafka's OUT_OF_ORDER_SEQUENCE_NUMBER).</summary>
    OutOfOrderSequence,

    /// <summary>A newer epoch of this producer id has written (Kafka's PRODUCER_FENCED).</summary>
    ProducerFenced,

    /// <summary>Too much is queued or storage throttles: retry after a pause (429/503).</summary>
    Busy,

    /// <summary>The append could not be completed within its attempts and deadline; it was not acknowledged.</summary>
    AppendFailed,
}

/// <summary>An expected failure of a log operation, with a message fit to show a client.</summary>
public sealed class LogException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LogException(LogErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    /// <summary>Creates the exception.</summary>
    public LogException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public LogException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public LogException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>What went wrong.</summary>
    public LogErrorKind Kind { get; }

    /// <summary>For <see cref="LogErrorKind.Busy"/>: how long the client should wait.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
