using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Platform.Core.Consumers.Notifications.Scheduling;
using Platform.Core.Options;

namespace Platform.Core.Consumers.Notifications;

/// <summary>Registers the notification delivery job; it runs when an SMTP host or a webhook or Slack channel is configured.</summary>
public static class NotificationsServiceCollectionExtensions
{
    /// <summary>Binds <c>Platform:Notifications</c> and adds the job.</summary>
    public static IServiceCollection AddNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<NotificationOptions, NotificationOptionsValidator>(configuration, NotificationOptions.SectionName);
        services.TryAddSingleton(sp => new NotificationChannels(
            new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = TimeSpan.FromSeconds(10) },
            sp.GetRequiredService<IOptions<NotificationOptions>>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<NotificationTelemetry>();
        services.TryAddSingleton<NotificationOutcomes>();
        services.TryAddSingleton<NotificationRateLimiter>();
        services.TryAddSingleton<RecipientDelivery>();
        services.TryAddSingleton<NotificationDispatcher>();
        services.TryAddSingleton<NotificationDeliveryJob>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConsumerJob, DeliveryJob>());
        services.AddHostedService<NotificationsStartup>();
        return services;
    }

    private sealed class DeliveryJob(IOptions<NotificationOptions> options, IServiceProvider services) : IConsumerJob
    {
        public ConsumerRegistration? Registration => options.Value.Enabled
            ? new ConsumerRegistration(options.Value.Group, options.Value.Topic, services.GetRequiredService<NotificationDeliveryJob>(), OffsetReset.Earliest, DeadLetterRetriable: false)
            : null;
    }
}
