using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Platform.Core.Consumers;

/// <summary>
/// On shutdown (a scale-in, a deployment), gives up this instance's claims and membership in every job's group, so
/// that other instances take the partitions over at once instead of after the claims lapse.
/// </summary>
internal sealed partial class LeaveOnShutdown(ConsumerRegistry registry, ConsumerRunner runner, ILogger<LeaveOnShutdown> logger) : IHostedService
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        runner.Stop();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(Limit);
        foreach (ConsumerRegistration registration in registry.All)
        {
            try
            {
                await runner.LeaveAsync(registration, limit.Token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // The claims lapse by themselves; leaving only makes the hand-over quicker.
                LogLeaveFailed(logger, ex, registration.Group, registration.Topic);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group {Group} could not leave {Topic} on shutdown; its claims lapse by themselves")]
    private static partial void LogLeaveFailed(ILogger logger, Exception exception, string group, string topic);
}
