namespace Platform.Functions.Http;

/// <summary>The request is malformed; the message says how, and is shown to the client.</summary>
public sealed class BadRequestException : Exception
{
    public BadRequestException(string message)
        : base(message)
    {
    }

    public BadRequestException()
    {
    }

    public BadRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
