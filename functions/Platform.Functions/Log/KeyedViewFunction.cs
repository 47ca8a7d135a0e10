using Microsoft.Azure.Functions.Worker;
using Platform.Core.Log.KeyedView;

namespace Platform.Functions.Log;

/// <summary>Brings the keyed view of every compacted topic up to its log, on a timer.</summary>
public sealed class KeyedViewFunction(KeyedViewMaintainer maintainer)
{
    [Function("MaintainKeyedViews")]
    public async Task Run([TimerTrigger("%Platform:Log:KeyedViewSchedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        await maintainer.CatchUpAllAsync(cancellationToken);
}
