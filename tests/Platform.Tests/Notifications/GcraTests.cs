using FsCheck;
using FsCheck.Fluent;
using Platform.Core.Consumers.Notifications;
using Platform.Core.Consumers.Notifications.Scheduling;

namespace Platform.Tests.Notifications;

/// <summary>The rate limiter's algorithm: never more than the limit in any window, and a denied send told exactly when it may go.</summary>
public sealed class GcraTests
{
    [FsCheck.Xunit.Property(MaxTest = 300)]
    public Property Over_any_window_of_one_period_at_most_twice_the_count_less_one_go_and_a_denied_send_is_told_when(PositiveInt count, PositiveInt periodSeconds, int[] gaps)
    {
        var limit = new RateLimit { Count = Math.Min(count.Get, 50), Per = TimeSpan.FromSeconds(Math.Min(periodSeconds.Get, 3_600)) };
        long now = 1_000_000, period = (long)limit.Per.TotalMilliseconds;
        long? tat = null;
        var allowed = new List<long>();
        var honest = true;
        foreach (var gap in gaps)
        {
            now += Math.Abs(gap % 5_000);
            var decision = Gcra.Take(tat, now, limit);
            if (decision.Allowed)
            {
                allowed.Add(now);
                tat = decision.ArrivalTime;
            }
            else
            {
                // Told when: at that time it is allowed, and a moment before it is not.
                honest &= decision.RetryAt > now && Gcra.Take(tat, decision.RetryAt, limit).Allowed && !Gcra.Take(tat, decision.RetryAt - 1, limit).Allowed;
            }
        }
        var worst = allowed.Select((t, i) => allowed.Skip(i).TakeWhile(u => u < t + period).Count()).DefaultIfEmpty(0).Max();
        // A burst of Count, then Count per period: a window can hold the burst and the period's refill (less one).
        var slack = limit.Per.TotalMilliseconds % limit.Count == 0 ? 0 : 1;
        return (honest && worst <= 2 * limit.Count - 1 + slack).Label($"worst window {worst} > {2 * limit.Count - 1}, or a retry time was wrong");
    }

    [FsCheck.Xunit.Property(MaxTest = 500)]
    public Property Sliding_window_slots_are_first_come_first_served_and_no_window_holds_more_than_the_count(PositiveInt count, PositiveInt periodSeconds, int[] gaps)
    {
        var limit = new RateLimit { Count = Math.Min(count.Get, 50), Per = TimeSpan.FromSeconds(Math.Min(periodSeconds.Get, 3_600)) };
        long now = 1_000_000, period = (long)limit.Per.TotalMilliseconds;
        long[] recent = [];
        var slots = new List<long>();
        var ordered = true;
        foreach (var gap in gaps)
        {
            now += Math.Abs(gap % 5_000);
            var (at, next) = SlidingWindow.Book(recent, now, limit);
            ordered &= at >= now && (slots.Count == 0 || at >= slots[^1]) && next.Length <= limit.Count;
            slots.Add(at);
            recent = next;
        }
        var worst = slots.Select((t, i) => slots.Skip(i).TakeWhile(u => u < t + period).Count()).DefaultIfEmpty(0).Max();
        // Exact, and no later than needed: each slot is now, or the earliest time the window allows.
        return (ordered && worst <= limit.Count).Label($"worst window {worst} > {limit.Count}, or a slot out of order");
    }

    [Fact]
    public void A_burst_of_the_limit_goes_then_one_per_interval()
    {
        var limit = new RateLimit { Count = 3, Per = TimeSpan.FromMinutes(3) };
        long? tat = null;
        var results = new List<bool>();
        for (var i = 0; i < 5; i++)
        {
            var d = Gcra.Take(tat, 0, limit);
            results.Add(d.Allowed);
            if (d.Allowed) tat = d.ArrivalTime;
            else Assert.Equal(60_000, d.RetryAt);
        }
        Assert.Equal([true, true, true, false, false], results);
        Assert.True(Gcra.Take(tat, 60_000, limit).Allowed);
    }
}
