namespace Platform.Core.Streams.Definition;

/// <summary>A job that cannot run: every reason, each naming where in the job it is.</summary>
public sealed class StreamJobException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StreamJobException()
    {
        Problems = [];
    }

    /// <summary>Creates the exception with one problem.</summary>
    public StreamJobException(string message)
        : base(message)
    {
        Problems = [message];
    }

    /// <summary>Creates the exception with one problem and its cause.</summary>
    public StreamJobException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [message];
    }

    /// <summary>Creates the exception with every problem.</summary>
    public StreamJobException(IReadOnlyList<string> problems)
        : base(string.Join("; ", problems ?? []))
    {
        Problems = problems ?? [];
    }

    /// <summary>Each problem.</summary>
    public IReadOnlyList<string> Problems { get; }
}
