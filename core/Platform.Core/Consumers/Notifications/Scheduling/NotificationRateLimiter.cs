using Microsoft.Extensions.Options;
using Platform.Core.Storage;

namespace Platform.Core.Consumers.Notifications.Scheduling;

/// <summary>
/// What the limits said: go now, or wait until <see cref="WaitUntil"/>; <see cref="Slot"/> is the time this send holds
/// under the recipient's limit (0: none), booked for it, to be given back if the send fails.
/// </summary>
public readonly record struct RateTake(long? WaitUntil, long Slot);

/// <summary>
/// The configured rate limits: per recipient over every instance (an exact sliding window, state in
/// <see cref="IRateLimitStore"/> written at its version; the excess books the next free slot, first come first
/// served) and per channel on this instance (the generic cell rate algorithm, in memory). A send over a limit is told when it may go; waits shorter than <see cref="MaxInlineWait"/> on the channel
/// limit are waited out here.
/// </summary>
public sealed class NotificationRateLimiter(IRateLimitStore store, IOptions<NotificationOptions> options, TimeProvider time)
{
    /// <summary>Longest wait for the channel limit spent in place rather than parked.</summary>
    public static readonly TimeSpan MaxInlineWait = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, long> _channels = new(StringComparer.Ordinal);

    /// <summary>
    /// Null when the send may go now; otherwise when it may (milliseconds since the epoch). Over the recipient's limit
    /// that time is a booked slot: the send goes then without asking again (<see cref="RecipientLimit.AlreadyBooked"/>).
    /// </summary>
    public async Task<RateTake> TakeAsync(string channel, string recipientKey, RecipientLimit recipientLimit, long bookedSlot, CancellationToken cancellationToken)
    {
        if (!options.Value.RateLimits.TryGetValue(channel, out var limits)) return new RateTake(null, 0);
        // The channel first: its wait is short and in memory; a recipient's slot, once taken, is spent for good.
        long? channelToken = null;
        while (limits.PerChannel is { } perChannel)
        {
            RateDecision decision;
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            lock (_gate)
            {
                decision = Gcra.Take(_channels.TryGetValue(channel, out var tat) ? tat : null, now, perChannel);
                if (decision.Allowed) _channels[channel] = decision.ArrivalTime;
            }
            if (decision.Allowed)
            {
                channelToken = Gcra.Interval(perChannel);
                break;
            }
            var wait = TimeSpan.FromMilliseconds(decision.RetryAt - now);
            if (wait > MaxInlineWait) return new RateTake(decision.RetryAt, bookedSlot);
            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }
        if (limits.PerRecipient is not { } perRecipient) return new RateTake(null, 0);
        if (recipientLimit == RecipientLimit.AlreadyBooked) return new RateTake(null, bookedSlot);
        {
            // A slot is booked even when it is later: the caller waits for it and then goes without asking again.
            var key = channel + "\n" + recipientKey;
            while (true)
            {
                var (recent, version) = await store.GetAsync(key, cancellationToken).ConfigureAwait(false);
                var now = time.GetUtcNow().ToUnixTimeMilliseconds();
                if (recipientLimit == RecipientLimit.CountOnly)
                {
                    if (await store.TryPutAsync(key, SlidingWindow.Record(recent, now, perRecipient), version, cancellationToken).ConfigureAwait(false)) return new RateTake(null, now);
                    continue;
                }
                var (at, next) = SlidingWindow.Book(recent, now, perRecipient);
                if (!await store.TryPutAsync(key, next, version, cancellationToken).ConfigureAwait(false)) continue;
                if (at <= now) return new RateTake(null, at);
                // It goes later: the channel's token taken for now is given back (it takes one again at its slot).
                if (channelToken is { } interval) GiveBack(channel, interval);
                return new RateTake(at, at);
            }
        }
    }

    /// <summary>Gives back a recipient's slot whose send failed: it did not reach them, so it does not count.</summary>
    public async Task ReleaseAsync(string channel, string recipientKey, long slot, CancellationToken cancellationToken)
    {
        if (slot == 0 || !options.Value.RateLimits.TryGetValue(channel, out var limits) || limits.PerRecipient is null) return;
        var key = channel + "\n" + recipientKey;
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var (recent, version) = await store.GetAsync(key, cancellationToken).ConfigureAwait(false);
            var at = Array.IndexOf(recent, slot);
            if (at < 0) return;
            if (await store.TryPutAsync(key, [.. recent[..at], .. recent[(at + 1)..]], version, cancellationToken).ConfigureAwait(false)) return;
        }
    }

    private void GiveBack(string channel, long interval)
    {
        lock (_gate)
        {
            if (_channels.TryGetValue(channel, out var tat)) _channels[channel] = tat - interval;
        }
    }
}

/// <summary>How a send meets the recipient's limit.</summary>
public enum RecipientLimit
{
    /// <summary>Books the next free slot (now, or later).</summary>
    Book,
    /// <summary>Goes now whatever the limit (high priority), and counts against the later ones.</summary>
    CountOnly,
    /// <summary>Goes at the slot it booked earlier: the recipient's limit is not asked again.</summary>
    AlreadyBooked,
}
