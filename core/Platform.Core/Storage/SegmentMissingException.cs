namespace Platform.Core.Storage;

/// <summary>A segment read does not exist (any more): retention deleted it while it was being read.</summary>
public sealed class SegmentMissingException : Exception
{
    /// <summary>Creates the exception with the reason.</summary>
    public SegmentMissingException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public SegmentMissingException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public SegmentMissingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
