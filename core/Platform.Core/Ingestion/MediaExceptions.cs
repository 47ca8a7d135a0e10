namespace Platform.Core.Ingestion;

/// <summary>The body is over a size limit: 413.</summary>
public sealed class PayloadTooLargeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PayloadTooLargeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public PayloadTooLargeException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public PayloadTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The media type or content encoding is not one this route takes: 415.</summary>
public sealed class UnsupportedMediaTypeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public UnsupportedMediaTypeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public UnsupportedMediaTypeException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public UnsupportedMediaTypeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
