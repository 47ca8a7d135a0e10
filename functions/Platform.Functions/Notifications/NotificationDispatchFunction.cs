using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using Platform.Core.Consumers.Notifications;
using Platform.Core.Consumers.Notifications.Scheduling;

namespace Platform.Functions.Notifications;

/// <summary>Takes up parked notifications (<c>notBefore</c>, retries, rate limits) and closing digests when they are due, on a timer.</summary>
public sealed class NotificationDispatchFunction(NotificationDispatcher dispatcher, IOptions<NotificationOptions> options)
{
    [Function("DispatchNotifications")]
    public async Task Run([TimerTrigger("%Platform:Notifications:DispatchSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled) return;
        // Until nothing more moves (at most 50 rounds of 200): a backlog drains in one run rather than one batch per tick.
        for (var round = 0; round < 50 && await dispatcher.DispatchDueAsync(cancellationToken) > 0; round++)
        {
        }
    }
}
