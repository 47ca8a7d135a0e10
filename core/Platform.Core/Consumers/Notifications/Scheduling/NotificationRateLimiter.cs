using Microsoft.Extensions.Options;
using Platform.Core.Storage;

namespace Platform.Core.Consumers.Notifications.Scheduling;

/// <summary>A send told to wait until <see cref="At"/>; <see cref="Booked"/> when that time is a slot booked for it under the recipient's limit.</summary>
public readonly record struct RateWait(long At, bool Booked);

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
    /// that time is a booked slot: the send goes then without asking again (<paramref name="skipRecipientLimit"/>).
    /// </summary>
    public async Task<RateWait?> TakeAsync(string channel, string recipientKey, bool skipRecipientLimit, CancellationToken cancellationToken)
    {
        if (!options.Value.RateLimits.TryGetValue(channel, out var limits)) return null;
        // The channel first: its wait is short and in memory; a recipient's slot, once taken, is spent for good.
        while (limits.PerChannel is { } perChannel)
        {
            RateDecision decision;
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            lock (_gate)
            {
                decision = Gcra.Take(_channels.TryGetValue(channel, out var tat) ? tat : null, now, perChannel);
                if (decision.Allowed) _channels[channel] = decision.ArrivalTime;
            }
            if (decision.Allowed) break;
            var wait = TimeSpan.FromMilliseconds(decision.RetryAt - now);
            if (wait > MaxInlineWait) return new RateWait(decision.RetryAt, Booked: false);
            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }
        if (limits.PerRecipient is { } perRecipient && !skipRecipientLimit)
        {
            // A slot is booked even when it is later: the caller waits for it and then goes without asking again.
            var key = channel + "\n" + recipientKey;
            while (true)
            {
                var (recent, version) = await store.GetAsync(key, cancellationToken).ConfigureAwait(false);
                var now = time.GetUtcNow().ToUnixTimeMilliseconds();
                var (at, next) = SlidingWindow.Book(recent, now, perRecipient);
                if (await store.TryPutAsync(key, next, version, cancellationToken).ConfigureAwait(false)) return at > now ? new RateWait(at, Booked: true) : null;
            }
        }
        return null;
    }
}
