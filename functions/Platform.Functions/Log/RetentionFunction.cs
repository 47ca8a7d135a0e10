using Microsoft.Azure.Functions.Worker;
using Platform.Core.Log.Retention;
using Platform.Core.Log.Topics;

namespace Platform.Functions.Log;

/// <summary>Deletes whole sealed segments past their topic's retention time or size, and deleted topics' data, on a timer.</summary>
public sealed class RetentionFunction(RetentionEnforcer enforcer, TopicDeleter deleter)
{
    [Function("EnforceRetention")]
    public async Task Run([TimerTrigger("%Platform:Log:RetentionSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        await enforcer.EnforceAsync(cancellationToken);
        await deleter.SweepAsync(cancellationToken);
    }
}
