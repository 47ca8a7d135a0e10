using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Core.Log.Topics;

namespace Platform.Core.Alerting;

/// <summary>
/// At start: creates the <c>alerts</c> topic when missing, and loads <c>RulesDirectory</c>'s rule files. Storage
/// trouble is logged and start-up goes on; a rule file that does not validate stops start-up, naming the file and rule.
/// </summary>
internal sealed partial class AlertingStartup(TopicManager topics, RuleGroups groups, IOptions<AlertingOptions> options, ILogger<AlertingStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (!o.Enabled) return;
        try
        {
            await topics.EnsureAsync(new TopicConfig { Name = o.AlertsTopic, Partitions = 1 }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogTopicFailed(logger, e, o.AlertsTopic);
        }
        if (!string.IsNullOrEmpty(o.RulesDirectory))
        {
            await groups.LoadDirectoryAsync(o.RulesDirectory, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not create the alerts topic {Topic}; alerts are evaluated and sent, their history is not recorded until it exists")]
    private static partial void LogTopicFailed(ILogger logger, Exception exception, string topic);
}
