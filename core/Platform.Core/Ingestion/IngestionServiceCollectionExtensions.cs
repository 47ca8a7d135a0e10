using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Platform.Core.Ingestion.Otlp;

namespace Platform.Core.Ingestion;

/// <summary>Registers ingestion: request limits and the OTLP receivers' core.</summary>
public static class IngestionServiceCollectionExtensions
{
    /// <summary>Binds <c>Platform:Ingest</c> (validated at start).</summary>
    public static IServiceCollection AddIngestion(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<IngestOptions>().Bind(configuration.GetSection(IngestOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IngestOptions>, IngestOptionsValidator>());
        return services;
    }

    /// <summary>Binds <c>Platform:Otlp</c> (validated at start), the OTLP ingestor, and the provisioning of its topics.</summary>
    public static IServiceCollection AddOtlpIngestion(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<OtlpOptions>().Bind(configuration.GetSection(OtlpOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OtlpOptions>, OtlpOptionsValidator>());
        services.TryAddSingleton<OtlpIngestor>();
        services.AddHostedService<OtlpTopicsProvisioner>();
        return services;
    }
}
