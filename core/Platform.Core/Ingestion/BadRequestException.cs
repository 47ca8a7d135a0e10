namespace Platform.Core.Ingestion;

/// <summary>The request is malformed; the message says how, and is shown to the client.</summary>
public sealed class BadRequestException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BadRequestException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public BadRequestException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public BadRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
