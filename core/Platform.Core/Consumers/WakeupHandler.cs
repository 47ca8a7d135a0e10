using Microsoft.Extensions.Logging;

namespace Platform.Core.Consumers;

/// <summary>Sends a wake-up again after a delay.</summary>
public interface IWakeupDeferrer
{
    /// <summary>Makes <paramref name="wakeup"/> arrive again after <paramref name="delay"/>.</summary>
    Task DeferAsync(WakeupMessage wakeup, TimeSpan delay, CancellationToken cancellationToken);
}

/// <summary>
/// What a wake-up message does, on whichever instance it lands (Flex Consumption runs queue triggers wherever it
/// likes): run every job that reads the partition's topic, draining every partition this instance holds. When the
/// woken partition still has records to deliver afterwards, the wake-up is sent again, once per message whatever the
/// number of jobs, and at most <see cref="MaxHops"/> times: soon when this instance holds the partition (its run ran
/// out of time or its sink paused), or when the other instance's claim would lapse. Beyond that the sweep delivers.
/// </summary>
public sealed partial class WakeupHandler(ConsumerRegistry registry, ConsumerRunner runner, ConsumerGroups groups, IWakeupDeferrer deferrer, Microsoft.Extensions.Options.IOptions<ConsumerOptions> options, ILogger<WakeupHandler> logger)
{
    /// <summary>The most times one wake-up is sent again.</summary>
    public const int MaxHops = 8;

    /// <summary>Handles one wake-up message; anything that is not one is dropped (the sweep covers it).</summary>
    public async Task HandleAsync(string? message, CancellationToken cancellationToken)
    {
        if (WakeupMessage.TryParse(message) is not { } wakeup)
        {
            return;
        }

        TimeSpan? again = null;
        foreach (ConsumerRegistration registration in registry.For(wakeup.Topic))
        {
            RunResult result = await runner.RunAsync(registration, null, cancellationToken).ConfigureAwait(false);
            PartitionLag lag = await groups.GetLagAsync(registration.Group, wakeup.ToTopicPartition(), cancellationToken).ConfigureAwait(false);
            if (lag.Lag == 0)
            {
                continue;
            }

            // Held here: the run ended early (its time, a paused sink); come back soon, backing off. Held elsewhere:
            // come back when that claim would lapse, if its holder has not drained it by then.
            TimeSpan delay = result.Partitions.Contains(wakeup.Partition)
                ? TimeSpan.FromSeconds(Math.Min(1 << wakeup.Hops, options.Value.ClaimDuration.TotalSeconds))
                : options.Value.ClaimDuration + TimeSpan.FromSeconds(1);
            again = again is { } d ? (d < delay ? d : delay) : delay;
        }

        if (again is { } wait && wakeup.Hops < MaxHops)
        {
            LogDeferred(logger, wakeup.Topic, wakeup.Partition, wait.TotalSeconds, wakeup.Hops + 1);
            await deferrer.DeferAsync(wakeup with { Hops = wakeup.Hops + 1 }, wait, cancellationToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Topic}/{Partition} still has records to deliver; its wake-up comes again in {Seconds} s (time {Hop})")]
    private static partial void LogDeferred(ILogger logger, string topic, int partition, double seconds, int hop);
}
