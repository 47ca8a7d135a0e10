using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Platform.Core;
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

        // On Azure the Functions storage account is the default home of the platform's data.
        services.PostConfigure<StorageOptions>(o => o.ConnectionString ??= configuration["AzureWebJobsStorage"]);
        return services;
    }
}
