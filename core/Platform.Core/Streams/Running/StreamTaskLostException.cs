namespace Platform.Core.Streams.Running;

/// <summary>Another instance moved the task's position (it took the partition over, or the job was reset): stop, reload.</summary>
public sealed class StreamTaskLostException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StreamTaskLostException()
        : base("Another instance moved this task's position.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public StreamTaskLostException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public StreamTaskLostException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
