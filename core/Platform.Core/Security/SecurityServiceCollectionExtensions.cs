using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Platform.Core.Storage;
using Platform.Core.Storage.Azure;
using Platform.Core.Options;

namespace Platform.Core.Security;

/// <summary>Registers API keys.</summary>
public static class SecurityServiceCollectionExtensions
{
    /// <summary>Binds <c>Platform:Auth</c> (validated at start) and adds the key store and service.</summary>
    public static IServiceCollection AddApiKeys(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<AuthOptions, AuthOptionsValidator>(configuration, AuthOptions.SectionName);
        services.TryAddSingleton(sp => new ApiKeyStore(AzureStorageServiceCollectionExtensions.Table(sp, StorageNames.ApiKeysTable)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProvisionedStore, ApiKeyStore>(sp => sp.GetRequiredService<ApiKeyStore>()));
        services.TryAddSingleton<ApiKeyService>();
        return services;
    }
}
