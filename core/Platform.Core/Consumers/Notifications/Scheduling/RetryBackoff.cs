namespace Platform.Core.Consumers.Notifications.Scheduling;

/// <summary>Exponential back-off with jitter, honouring a longer <c>Retry-After</c>.</summary>
public static class RetryBackoff
{
    /// <summary>
    /// The wait before try <paramref name="attempt"/> + 1: <c>InitialDelay · 2^(attempt−1)</c> capped at
    /// <c>MaxDelay</c>, scaled by a jitter factor in [0.8, 1.2) from <paramref name="jitter"/> (in [0, 1)), and never
    /// shorter than what the receiver asked for.
    /// </summary>
    public static TimeSpan Delay(int attempt, TimeSpan? retryAfter, NotificationRetryOptions options, double jitter)
    {
        ArgumentNullException.ThrowIfNull(options);
        var exponent = Math.Clamp(attempt - 1, 0, 30);
        var backoff = Math.Min(options.InitialDelay.TotalMilliseconds * Math.Pow(2, exponent), options.MaxDelay.TotalMilliseconds);
        var delay = TimeSpan.FromMilliseconds(backoff * (0.8 + 0.4 * jitter));
        return retryAfter is { } asked && asked > delay ? asked : delay;
    }
}
