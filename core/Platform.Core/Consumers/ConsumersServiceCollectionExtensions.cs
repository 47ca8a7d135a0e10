using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Core.Log.Appending;
using Platform.Core.Options;
using Platform.Core.Storage;
using Platform.Core.Storage.Azure;

namespace Platform.Core.Consumers;

/// <summary>Registers the consumer runtime.</summary>
public static class ConsumersServiceCollectionExtensions
{
    /// <summary>
    /// Binds <c>Platform:Consumers</c> (validated at start) and adds the runner, groups, dead letters, metrics, the
    /// registry of jobs, and the wake-up notifier that appends tell (with its queue, provisioned at start).
    /// </summary>
    public static IServiceCollection AddConsumers(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<ConsumerOptions, ConsumerOptionsValidator>(configuration, ConsumerOptions.SectionName);
        services.TryAddSingleton<DeadLetterWriter>();
        services.TryAddSingleton<ConsumerMetrics>();
        services.TryAddSingleton<ConsumerRunner>();
        services.TryAddSingleton<ConsumerGroups>();
        services.TryAddSingleton<ConsumerRegistry>();
        services.TryAddSingleton(sp => new WakeupNotifier(
            StorageClients.WakeupQueue(sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<IOptions<StorageOptions>>().Value, sp.GetRequiredService<IOptions<ConsumerOptions>>().Value.WakeupQueue),
            sp.GetRequiredService<IOptions<ConsumerOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<WakeupNotifier>>(),
            topic => sp.GetRequiredService<ConsumerRegistry>().Reads(topic)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAppendListener, WakeupNotifier>(sp => sp.GetRequiredService<WakeupNotifier>()));
        services.TryAddSingleton<IWakeupDeferrer>(sp => sp.GetRequiredService<WakeupNotifier>());
        services.TryAddSingleton<WakeupHandler>();
        services.AddHostedService<LeaveOnShutdown>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProvisionedStore, WakeupQueueProvisioner>());
        return services;
    }
}
