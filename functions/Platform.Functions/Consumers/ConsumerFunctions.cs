using Microsoft.Azure.Functions.Worker;
using Platform.Core.Consumers;

namespace Platform.Functions.Consumers;

/// <summary>Runs the registered jobs: at once on a wake-up message, and on a timer sweep that catches anything a lost message missed.</summary>
public sealed class ConsumerFunctions(ConsumerRegistry registry, ConsumerRunner runner, WakeupHandler wakeups)
{
    [Function("ConsumerWakeup")]
    public Task Wakeup([QueueTrigger("%Platform:Consumers:WakeupQueue%", Connection = WakeupMessage.ConnectionSetting)] string message, CancellationToken cancellationToken) =>
        wakeups.HandleAsync(message, cancellationToken);

    [Function("ConsumerSweep")]
    public async Task Sweep([TimerTrigger("%Platform:Consumers:SweepSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        await Task.WhenAll(registry.All.Select(r => runner.RunAsync(r, cancellationToken)));
    }
}
