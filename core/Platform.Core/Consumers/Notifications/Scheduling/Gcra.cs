namespace Platform.Core.Consumers.Notifications.Scheduling;

/// <summary>What a rate limiter said: go now (and the new state), or wait until <see cref="RetryAt"/>.</summary>
public readonly record struct RateDecision(bool Allowed, long ArrivalTime, long RetryAt);

/// <summary>
/// The generic cell rate algorithm: one number per key (the theoretical arrival time, TAT) gives a steady rate of
/// <c>count</c> per <c>period</c> with bursts of up to <c>count</c>, and says exactly when the next send may go.
/// Times are milliseconds.
/// </summary>
public static class Gcra
{
    /// <summary>The spacing of sends at the limit's steady rate (milliseconds, at least 1).</summary>
    public static long Interval(RateLimit limit)
    {
        ArgumentNullException.ThrowIfNull(limit);
        return Math.Max(1, (long)(limit.Per.TotalMilliseconds / limit.Count));
    }

    /// <summary>Takes one send at <paramref name="now"/> against <paramref name="arrivalTime"/> (null: never used).</summary>
    public static RateDecision Take(long? arrivalTime, long now, RateLimit limit)
    {
        ArgumentNullException.ThrowIfNull(limit);
        var interval = Interval(limit);
        var tolerance = interval * (limit.Count - 1);
        var tat = Math.Max(arrivalTime ?? now, now);
        return tat - now > tolerance
            ? new RateDecision(false, tat, tat - tolerance)
            : new RateDecision(true, tat + interval, now);
    }
}
