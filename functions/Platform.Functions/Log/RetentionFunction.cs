using Microsoft.Azure.Functions.Worker;
using Platform.Core.Log.Retention;

namespace Platform.Functions.Log;

/// <summary>Deletes whole sealed segments past their topic's retention time or size, on a timer.</summary>
public sealed class RetentionFunction(RetentionEnforcer enforcer)
{
    [Function("EnforceRetention")]
    public async Task Run([TimerTrigger("%Platform:Log:RetentionSchedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        await enforcer.EnforceAsync(cancellationToken);
}
