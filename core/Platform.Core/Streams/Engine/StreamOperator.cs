namespace Platform.Core.Streams.Engine;

/// <summary>One step of a task's pipeline: takes a record, hands on what it makes to the next step.</summary>
public abstract class StreamOperator
{
    /// <summary>The next step; null at the end (records stop there).</summary>
    public StreamOperator? Next { get; set; }

    /// <summary>Processes one record.</summary>
    public abstract ValueTask PushAsync(StreamRecord record, StreamContext context);

    /// <summary>
    /// Goes on with work a record left (windows due to close beyond one commit's room); true when some is still left
    /// after this sub-batch's room is used up. Then the next step's.
    /// </summary>
    public virtual ValueTask<bool> ResumeAsync(StreamContext context) => Next?.ResumeAsync(context) ?? ValueTask.FromResult(false);

    /// <summary>At the end of a sub-batch (a window emitting updates does it here); then the next step's.</summary>
    public virtual ValueTask EndOfBatchAsync(StreamContext context) => Next?.EndOfBatchAsync(context) ?? ValueTask.CompletedTask;

    /// <summary>Hands a record on.</summary>
    protected ValueTask ForwardAsync(StreamRecord record, StreamContext context) => Next?.PushAsync(record, context) ?? ValueTask.CompletedTask;
}

/// <summary>A step that cannot process a record: the task sends the input to the dead-letter topic with the reason.</summary>
public sealed class StreamRecordException : Exception
{
    /// <summary>Creates the exception with its reason.</summary>
    public StreamRecordException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public StreamRecordException()
        : this("The record could not be processed.")
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public StreamRecordException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
