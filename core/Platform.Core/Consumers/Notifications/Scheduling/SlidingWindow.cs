namespace Platform.Core.Consumers.Notifications.Scheduling;

/// <summary>
/// "At most <c>Count</c> sends in any window of <c>Per</c>", exactly: the times of the last <c>Count</c> booked sends
/// are kept, and the next send is booked at the earliest time that keeps every window within the limit — now, or
/// <c>Per</c> after the send <c>Count</c> places back. Slots never go backwards, so those who wait go first come,
/// first served. Times are milliseconds.
/// </summary>
public static class SlidingWindow
{
    /// <summary>Largest <c>Count</c> this keeps state for (one table property of 8 KB).</summary>
    public const int MaxCount = 1_000;

    /// <summary>Records a send that went at <paramref name="now"/> without waiting (high priority): it counts against the later ones.</summary>
    public static long[] Record(ReadOnlySpan<long> recent, long now, RateLimit limit)
    {
        ArgumentNullException.ThrowIfNull(limit);
        var all = new List<long>(recent.Length + 1);
        all.AddRange(recent);
        var at = all.BinarySearch(now);
        all.Insert(at < 0 ? ~at : at, now);
        return [.. all.Skip(Math.Max(0, all.Count - limit.Count))];
    }

    /// <summary>Books one send at or after <paramref name="now"/>: its time, and the last sends to keep (oldest first).</summary>
    public static (long At, long[] Recent) Book(ReadOnlySpan<long> recent, long now, RateLimit limit)
    {
        ArgumentNullException.ThrowIfNull(limit);
        var per = (long)limit.Per.TotalMilliseconds;
        var at = now;
        if (recent.Length > 0) at = Math.Max(at, recent[^1]);
        if (recent.Length >= limit.Count) at = Math.Max(at, recent[^limit.Count] + per);
        var keep = Math.Min(recent.Length, limit.Count - 1);
        var next = new long[keep + 1];
        recent[^keep..].CopyTo(next);
        next[^1] = at;
        return (at, next);
    }
}
