namespace Platform.Core.Streams.Running;

/// <summary>No job of that name.</summary>
public sealed class StreamJobNotFoundException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StreamJobNotFoundException()
    {
    }

    /// <summary>Creates the exception for a job.</summary>
    public StreamJobNotFoundException(string job)
        : base($"There is no job '{job}'.")
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public StreamJobNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The job exists otherwise (another definition, or a job written in C#).</summary>
public sealed class StreamJobConflictException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StreamJobConflictException()
    {
    }

    /// <summary>Creates the exception with its reason.</summary>
    public StreamJobConflictException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public StreamJobConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
