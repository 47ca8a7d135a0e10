namespace Platform.Core.Alerting.Routing;

/// <summary>What sending one notification to one integration came to.</summary>
public enum DeliveryStatus
{
    /// <summary>Taken by the receiver.</summary>
    Sent,
    /// <summary>Not taken now (down, throttled, 5xx): send again later.</summary>
    Retriable,
    /// <summary>Refused as bad (4xx): sending again changes nothing.</summary>
    Permanent,
}

/// <summary>The outcome, with how long the receiver asked to wait (Retry-After) and why it failed.</summary>
public sealed record DeliveryOutcome(DeliveryStatus Status, TimeSpan? RetryAfter = null, string? Error = null);
