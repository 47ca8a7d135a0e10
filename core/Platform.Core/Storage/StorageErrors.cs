using Azure;

namespace Platform.Core.Storage;

/// <summary>The one place that decides what a storage failure means.</summary>
public static class StorageErrors
{
    /// <summary>
    /// True when a request may or may not have been applied: time-outs, lost connections, server
    /// errors. Not for the caller's own cancellation.
    /// </summary>
    public static bool IsAmbiguous(Exception exception, CancellationToken callerToken)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (callerToken.IsCancellationRequested)
        {
            return false;
        }

        return exception switch
        {
            RequestFailedException rfe => rfe.Status is 0 or 408 or >= 500,
            OperationCanceledException => true, // a client time-out, not the caller's token
            IOException or TimeoutException or HttpRequestException => true,
            AggregateException agg => agg.InnerExceptions.All(e => IsAmbiguous(e, callerToken)),
            _ => false,
        };
    }

    /// <summary>True when retrying the same call later may succeed (throttling, time-outs, server errors).</summary>
    public static bool IsTransient(Exception exception, CancellationToken callerToken) =>
        IsAmbiguous(exception, callerToken) || exception is RequestFailedException { Status: 429 or 503 } or SegmentMissingException;

    /// <summary>True when storage is throttling (the client should back off).</summary>
    public static bool IsThrottled(Exception exception) =>
        exception is RequestFailedException { Status: 429 or 503 };
}
