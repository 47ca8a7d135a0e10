using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Platform.Core;
using Platform.Core.Ingestion;
using Platform.Core.Options;

namespace Platform.Functions;

/// <summary>What both hosts register for the function classes.</summary>
public static class PlatformFunctionsServiceCollectionExtensions
{
    /// <summary>The engine plus the function classes' own services.</summary>
    public static IServiceCollection AddPlatformFunctions(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddPlatform(configuration);
        services.AddSingleton<Http.RequestAuthorizer>();
        services.AddSingleton<Http.StreamGate>();
        services.AddSelfTelemetry(configuration);

        // Kestrel (the worker's, and the local host's) stops bodies at 30,000,000 bytes by default, before any function
        // runs (a 500 to the client): raise it to the platform's own limit, which the validator keeps within the host's 100 MB
        // (never lower it: the platform answers an oversize body with its own 413, after reading it, rather than a reset).
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<IngestOptions>>((kestrel, ingest) => kestrel.Limits.MaxRequestBodySize = Math.Max(30_000_000L, ingest.Value.MaxRequestBytes + (64L * 1024)));

        // On Azure the Functions storage account is the default home of the platform's data, reached as the host reaches
        // it: its connection string, or its identity-based settings (AzureWebJobsStorage__accountName / __*ServiceUri /
        // __clientId). The Bicep stack gives the platform an account of its own (Platform__Storage__AccountName).
        services.PostConfigure<StorageOptions>(o => HostStorageDefaults.Apply(o, configuration));
        return services;
    }
}
