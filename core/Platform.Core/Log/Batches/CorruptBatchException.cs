namespace Platform.Core.Log.Batches;

/// <summary>Bytes that should hold a record batch do not: bad magic, a CRC mismatch or an impossible length.</summary>
public sealed class CorruptBatchException : Exception
{
    /// <summary>Creates the exception with a message that says what was wrong and where.</summary>
    public CorruptBatchException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public CorruptBatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public CorruptBatchException()
    {
    }
}
