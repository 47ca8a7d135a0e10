using Microsoft.Azure.Functions.Worker;
using Platform.Core.Log.Compaction;

namespace Platform.Functions.Log;

/// <summary>Compacts the partitions of compacted topics that this instance can claim, on a timer.</summary>
public sealed class CompactionFunction(LogCompactor compactor)
{
    [Function("CompactTopics")]
    public async Task Run([TimerTrigger("%Platform:Log:CompactionSchedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        await compactor.CompactAllAsync(cancellationToken);
}
