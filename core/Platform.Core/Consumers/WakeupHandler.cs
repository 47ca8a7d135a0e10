using Microsoft.Extensions.Logging;
using Platform.Core.Log;

namespace Platform.Core.Consumers;

/// <summary>Sends a wake-up again after a delay.</summary>
public interface IWakeupDeferrer
{
    /// <summary>Makes <paramref name="partition"/>'s wake-up arrive again after <paramref name="delay"/>.</summary>
    Task DeferAsync(TopicPartition partition, TimeSpan delay, CancellationToken cancellationToken);
}

/// <summary>
/// What a wake-up message does, on whichever instance it lands (Flex Consumption runs queue triggers wherever it
/// likes): run every job that reads the partition's topic, draining every partition this instance holds. When the
/// woken partition is held by another instance and still has records to deliver, the wake-up is sent again to arrive
/// when that claim would lapse, so it is never lost: either the holder drains it meanwhile, or the claim expires
/// and whoever gets the wake-up takes it over.
/// </summary>
public sealed partial class WakeupHandler(ConsumerRegistry registry, ConsumerRunner runner, ConsumerGroups groups, IWakeupDeferrer deferrer, Microsoft.Extensions.Options.IOptions<ConsumerOptions> options, ILogger<WakeupHandler> logger)
{
    /// <summary>Handles one wake-up message; anything that is not one is dropped (the sweep covers it).</summary>
    public async Task HandleAsync(string? message, CancellationToken cancellationToken)
    {
        if (WakeupMessage.TryParse(message) is not { } wakeup)
        {
            return;
        }

        foreach (ConsumerRegistration registration in registry.For(wakeup.Topic))
        {
            RunResult result = await runner.RunAsync(registration, null, cancellationToken).ConfigureAwait(false);
            if (result.Partitions.Contains(wakeup.Partition))
            {
                continue;
            }

            PartitionLag? lag = (await groups.GetLagAsync(registration.Group, wakeup.Topic, cancellationToken).ConfigureAwait(false)).FirstOrDefault(l => l.Partition == wakeup.Partition);
            if (lag is { Lag: > 0 })
            {
                TimeSpan delay = options.Value.ClaimDuration + TimeSpan.FromSeconds(1);
                LogDeferred(logger, registration.Group, wakeup.Topic, wakeup.Partition, delay.TotalSeconds);
                await deferrer.DeferAsync(wakeup.ToTopicPartition(), delay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Group {Group}: {Topic}/{Partition} is held by another instance; its wake-up comes again in {Seconds} s")]
    private static partial void LogDeferred(ILogger logger, string group, string topic, int partition, double seconds);
}
