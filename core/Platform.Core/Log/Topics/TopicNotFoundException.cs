namespace Platform.Core.Log.Topics;

/// <summary>The named topic does not exist.</summary>
public sealed class TopicNotFoundException : Exception
{
    /// <summary>Creates the exception for <paramref name="topic"/>.</summary>
    public TopicNotFoundException(string topic)
        : base($"Topic '{topic}' does not exist.")
    {
        Topic = topic;
    }

    /// <summary>Creates the exception.</summary>
    public TopicNotFoundException()
    {
        Topic = string.Empty;
    }

    /// <summary>Creates the exception.</summary>
    public TopicNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
        Topic = string.Empty;
    }

    /// <summary>The topic asked for.</summary>
    public string Topic { get; }
}
