using Microsoft.Azure.Functions.Worker;
using Platform.Core.Streams.Running;

namespace Platform.Functions.Streams;

/// <summary>Runs every stream job that is not paused, on a timer (<c>Platform:Streams:Schedule</c>).</summary>
public sealed class StreamJobTimer(StreamJobRunner runner)
{
    [Function("RunStreamJobs")]
    public async Task Run([TimerTrigger("%Platform:Streams:Schedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        await runner.RunAllAsync(cancellationToken);
}
