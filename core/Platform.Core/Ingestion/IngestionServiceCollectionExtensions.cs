using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Platform.Core.Ingestion.Otlp;
using Platform.Core.Options;

namespace Platform.Core.Ingestion;

/// <summary>Registers ingestion: request limits and the OTLP receivers' core.</summary>
public static class IngestionServiceCollectionExtensions
{
    /// <summary>Binds <c>Platform:Ingest</c> (validated at start).</summary>
    public static IServiceCollection AddIngestion(this IServiceCollection services, IConfiguration configuration)
    {
        return services.AddValidatedOptions<IngestOptions, IngestOptionsValidator>(configuration, IngestOptions.SectionName);
    }

    /// <summary>Binds <c>Platform:Otlp</c> (validated at start), the OTLP ingestor, and the provisioning of its topics.</summary>
    public static IServiceCollection AddOtlpIngestion(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<OtlpOptions, OtlpOptionsValidator>(configuration, OtlpOptions.SectionName);
        services.TryAddSingleton<OtlpIngestor>();
        services.AddHostedService<OtlpTopicsProvisioner>();
        return services;
    }
}
