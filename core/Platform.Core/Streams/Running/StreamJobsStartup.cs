using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Core.Log.Topics;
using Platform.Core.Streams.Definition;
using Platform.Core.Streams.Engine;

namespace Platform.Core.Streams.Running;

/// <summary>
/// At start: creates the dead-letter topics of jobs written in C#, and stores the job definitions of
/// <c>Platform:Streams:Directory</c> (each file named after its job). A definition that cannot run (yet: its topics may
/// be created later) is logged with the reason and skipped; one stored already with another definition is left as it is,
/// and said so.
/// </summary>
internal sealed partial class StreamJobsStartup(StreamJobCatalog catalog, StreamJobRunner runner, TopicManager topics, IOptions<StreamOptions> options, ILogger<StreamJobsStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            foreach (StreamJob job in catalog.CodeJobs)
            {
                await topics.EnsureAsync(StreamContext.DeadLetterTopicConfig(job.Name), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogCodeJobsFailed(logger, e);
        }

        if (options.Value.Directory is not { Length: > 0 } directory) return;
        foreach (string file in Directory.EnumerateFiles(directory).Where(f => Path.GetExtension(f) is ".yaml" or ".yml" or ".json").Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileNameWithoutExtension(file);
            try
            {
                await catalog.PutAsync(name, await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            }
            catch (StreamJobException e)
            {
                LogRefused(logger, file, e.Message);
            }
            catch (StreamJobConflictException e)
            {
                LogKept(logger, file, e.Message);
            }
        }
    }

    /// <summary>On shutdown the runner gives up its claims (within 5 s), so that other instances take the partitions over at once.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await runner.LeaveAllAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The claims lapse by themselves.
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Stream job file {File} was not stored: {Reason}")]
    private static partial void LogRefused(ILogger logger, string file, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream job file {File} differs from the job stored under its name, which stays: {Reason}")]
    private static partial void LogKept(ILogger logger, string file, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "The dead-letter topics of the stream jobs written in C# could not be created")]
    private static partial void LogCodeJobsFailed(ILogger logger, Exception exception);
}
