using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Platform.Core.Options;
using Platform.Core.Streams.Running;

namespace Platform.Core.Streams;

/// <summary>Registers stream jobs: the catalog, the runner and the definitions folder loaded at start.</summary>
public static class StreamsServiceCollectionExtensions
{
    /// <summary>Binds <c>Platform:Streams</c> (validated at start) and the stream job services.</summary>
    public static IServiceCollection AddStreams(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<StreamOptions, StreamOptionsValidator>(configuration, StreamOptions.SectionName);
        services.TryAddSingleton<StreamJobCatalog>();
        services.TryAddSingleton<StreamMetrics>();
        services.TryAddSingleton<StreamJobRunner>();
        services.AddHostedService<StreamJobsStartup>();
        return services;
    }
}
