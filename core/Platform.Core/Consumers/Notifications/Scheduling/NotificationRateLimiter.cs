using Microsoft.Extensions.Options;
using Platform.Core.Storage;

namespace Platform.Core.Consumers.Notifications.Scheduling;

/// <summary>
/// The configured rate limits: per recipient over every instance (state in <see cref="IRateLimitStore"/>, written at
/// its version) and per channel on this instance (in memory). A send over a limit is told when it may go; waits
/// shorter than <see cref="MaxInlineWait"/> on the channel limit are waited out here.
/// </summary>
public sealed class NotificationRateLimiter(IRateLimitStore store, IOptions<NotificationOptions> options, TimeProvider time)
{
    /// <summary>Longest wait for the channel limit spent in place rather than parked.</summary>
    public static readonly TimeSpan MaxInlineWait = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, long> _channels = new(StringComparer.Ordinal);

    /// <summary>Null when the send may go now; otherwise when it may (milliseconds since the epoch).</summary>
    public async Task<long?> TakeAsync(string channel, string recipientKey, bool skipRecipientLimit, CancellationToken cancellationToken)
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
            if (wait > MaxInlineWait) return decision.RetryAt;
            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }
        if (limits.PerRecipient is { } perRecipient && !skipRecipientLimit)
        {
            var key = channel + "\n" + recipientKey;
            while (true)
            {
                var (arrival, version) = await store.GetAsync(key, cancellationToken).ConfigureAwait(false);
                var decision = Gcra.Take(arrival, time.GetUtcNow().ToUnixTimeMilliseconds(), perRecipient);
                if (!decision.Allowed) return decision.RetryAt;
                if (await store.TryPutAsync(key, decision.ArrivalTime, version, cancellationToken).ConfigureAwait(false)) break;
            }
        }
        return null;
    }
}
