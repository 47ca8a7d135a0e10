using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Core.Log.Topics;

namespace Platform.Core.Consumers.Notifications;

/// <summary>Creates the notifications and status topics at start when the job is on; storage trouble is logged, start-up goes on.</summary>
internal sealed partial class NotificationsStartup(TopicManager topics, IOptions<NotificationOptions> options, ILogger<NotificationsStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (!o.Enabled) return;
        foreach (var name in new[] { o.Topic, o.StatusTopic })
        {
            try
            {
                await topics.EnsureAsync(new TopicConfig { Name = name, Partitions = name == o.Topic ? 4 : 1 }, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e, name);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not create topic {Topic}; notifications wait until storage is reachable")]
    private static partial void LogFailed(ILogger logger, Exception exception, string topic);
}
