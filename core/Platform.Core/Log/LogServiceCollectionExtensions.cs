using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Platform.Core.Log.Appending;
using Platform.Core.Log.Partitioning;
using Platform.Core.Log.Reading;
using Platform.Core.Log.Topics;
using Platform.Core.Options;
using Platform.Core.Storage;

namespace Platform.Core.Log;

/// <summary>Registers the log engine.</summary>
public static class LogServiceCollectionExtensions
{
    /// <summary>Binds <c>Platform:Log</c> and adds the engine over whatever stores are registered.</summary>
    public static IServiceCollection AddLog(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<LogOptions>().Bind(configuration.GetSection(LogOptions.SectionName));
        return services.AddLogEngine();
    }

    /// <summary>Adds the engine over whatever stores are registered (Azure, or in-memory in tests and benchmarks).</summary>
    public static IServiceCollection AddLogEngine(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<LogOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LogOptions>, LogOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<TopicManager>();
        services.TryAddSingleton<LogMetrics>();
        services.TryAddSingleton<OffsetIndexWriter>();
        // Writer leases need the ownership store; an engine over stores without one (tests) appends without them.
        services.TryAddSingleton(sp => new LogProducer(
            sp.GetRequiredService<TopicManager>(), sp.GetRequiredService<ISegmentStore>(), sp.GetRequiredService<OffsetIndexWriter>(),
            sp.GetRequiredService<IOptions<LogOptions>>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>(),
            sp.GetServices<IAppendListener>(), sp.GetRequiredService<LogMetrics>(),
            sp.GetService<IOwnershipStore>() is { } ownership ? new WriterLeases(ownership, sp.GetRequiredService<IOptions<LogOptions>>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<WriterLeases>>()) : null));
        services.TryAddSingleton<LogReader>();
        services.TryAddSingleton<WaitingReader>();
        services.TryAddSingleton<TopicTail>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAppendListener, WaitingReader>(sp => sp.GetRequiredService<WaitingReader>()));
        services.TryAddSingleton<OffsetIndexRebuilder>();
        services.TryAddSingleton<Retention.SegmentAgeRoller>();
        services.TryAddSingleton<KeyedView.KeyedViewMaintainer>();
        services.TryAddSingleton(sp => new Retention.RetentionEnforcer(
            sp.GetRequiredService<TopicManager>(), sp.GetRequiredService<ISegmentStore>(), sp.GetRequiredService<IOffsetIndex>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<Retention.RetentionEnforcer>>(), sp.GetRequiredService<Retention.SegmentAgeRoller>()));
        services.TryAddSingleton(sp => new TopicDeleter(
            sp.GetRequiredService<TopicManager>(), sp.GetRequiredService<ISegmentStore>(), sp.GetRequiredService<IOffsetIndex>(),
            sp.GetRequiredService<IOptions<LogOptions>>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<TopicDeleter>>(),
            sp.GetService<IKeyedViewStore>(), sp.GetService<ICheckpointStore>()));
        services.TryAddSingleton(sp => new Compaction.LogCompactor(
            sp.GetRequiredService<TopicManager>(), sp.GetRequiredService<ISegmentStore>(), sp.GetRequiredService<IOffsetIndex>(),
            sp.GetRequiredService<IOptions<LogOptions>>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<Compaction.LogCompactor>>(), sp.GetService<IOwnershipStore>()));
        services.AddHostedService<StorageProvisioner>();
        return services;
    }
}
