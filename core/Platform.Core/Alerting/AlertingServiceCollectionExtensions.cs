using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Platform.Core.Alerting.Evaluation;
using Platform.Core.Alerting.Notifier;
using Platform.Core.Options;

namespace Platform.Core.Alerting;

/// <summary>Registers rule evaluation, the rules API's core and the Alertmanager sender.</summary>
public static class AlertingServiceCollectionExtensions
{
    /// <summary>Binds <c>Platform:Alerting</c> (validated at start) and the alerting services.</summary>
    public static IServiceCollection AddAlerting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<AlertingOptions, AlertingOptionsValidator>(configuration, AlertingOptions.SectionName);
        services.TryAddSingleton<AlertingTelemetry>();
        services.TryAddSingleton<RuleGroups>();
        services.TryAddSingleton<RuleGroupEvaluator>();
        services.TryAddSingleton(sp => new AlertmanagerClient(
            new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = TimeSpan.FromSeconds(10) },
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<AlertingOptions>>(), sp.GetRequiredService<AlertingTelemetry>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<AlertmanagerClient>>()));
        services.TryAddSingleton(sp => new Routing.NotificationSender(
            new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = TimeSpan.FromSeconds(10) },
            sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<Log.Appending.LogProducer>(), sp.GetRequiredService<Log.Topics.TopicManager>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<AlertingOptions>>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<Routing.AlertRouter>();
        services.AddHostedService<AlertingStartup>();
        return services;
    }
}
