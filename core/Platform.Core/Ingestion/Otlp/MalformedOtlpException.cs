namespace Platform.Core.Ingestion.Otlp;

/// <summary>An OTLP request body that is not a valid export request (400).</summary>
public sealed class MalformedOtlpException : Exception
{
    /// <summary>Creates the exception with a message for the client.</summary>
    public MalformedOtlpException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public MalformedOtlpException()
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public MalformedOtlpException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
