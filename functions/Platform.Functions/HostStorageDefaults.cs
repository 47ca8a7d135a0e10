using Microsoft.Extensions.Configuration;
using Platform.Core.Options;

namespace Platform.Functions;

/// <summary>Fills the platform's storage settings from the Functions host's own (<c>AzureWebJobsStorage</c>) when none are given.</summary>
public static class HostStorageDefaults
{
    /// <summary>The host's storage setting.</summary>
    public const string Setting = "AzureWebJobsStorage";

    /// <summary>Uses the host's storage when the platform's is not configured at all.</summary>
    public static void Apply(StorageOptions options, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configuration);
        if (options.UsesConnectionString || options.AccountName is { Length: > 0 } || options.BlobServiceUri is not null)
        {
            return;
        }

        if (configuration[Setting] is { Length: > 0 } connection)
        {
            options.ConnectionString = connection;
            return;
        }

        IConfigurationSection identity = configuration.GetSection(Setting);
        options.AccountName = identity["accountName"];
        options.BlobServiceUri = Parse(identity["blobServiceUri"]);
        options.TableServiceUri = Parse(identity["tableServiceUri"]);
        options.QueueServiceUri = Parse(identity["queueServiceUri"]);
        options.ManagedIdentityClientId ??= identity["clientId"];
    }

    private static Uri? Parse(string? value) => Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) ? uri : null;
}
