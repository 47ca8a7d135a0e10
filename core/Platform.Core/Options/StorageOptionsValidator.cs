using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Platform.Core.Options;

/// <summary>Checks <see cref="StorageOptions"/> at start-up.</summary>
public sealed partial class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (!options.UsesConnectionString && string.IsNullOrWhiteSpace(options.AccountName) && (options.BlobServiceUri is null || options.TableServiceUri is null || options.QueueServiceUri is null))
        {
            errors.Add($"{StorageOptions.SectionName}: set ConnectionString, or AccountName (identity-based, with ManagedIdentityClientId for a user-assigned identity), or BlobServiceUri, TableServiceUri and QueueServiceUri. The local host fills ConnectionString with Azurite's; on Azure they default to AzureWebJobsStorage's (a connection string or its __accountName / __*ServiceUri / __clientId settings).");
        }

        foreach ((string setting, Uri? uri) in new[] { ("BlobServiceUri", options.BlobServiceUri), ("TableServiceUri", options.TableServiceUri), ("QueueServiceUri", options.QueueServiceUri) })
        {
            if (uri is not null && (!uri.IsAbsoluteUri || uri.Scheme is not ("https" or "http")))
            {
                errors.Add($"{StorageOptions.SectionName}:{setting} '{uri}' must be an absolute https URI.");
            }
        }

        foreach ((string label, StorageOptions account) in options.SegmentAccounts)
        {
            if (!SegmentAccountLabel().IsMatch(label))
            {
                errors.Add($"{StorageOptions.SectionName}:SegmentAccounts:{label}: a label is 1-24 lower-case letters and digits.");
            }

            if (!account.UsesConnectionString && string.IsNullOrWhiteSpace(account.AccountName) && account.BlobServiceUri is null)
            {
                errors.Add($"{StorageOptions.SectionName}:SegmentAccounts:{label}: set ConnectionString, AccountName or BlobServiceUri.");
            }
        }

        if (!ContainerName().IsMatch(options.LogContainer))
        {
            errors.Add($"{StorageOptions.SectionName}:LogContainer '{options.LogContainer}' is not a valid container name (3-63 lower-case letters, digits and single hyphens).");
        }

        if (options.TablePrefix.Length > 40 || !TablePrefix().IsMatch(options.TablePrefix))
        {
            errors.Add($"{StorageOptions.SectionName}:TablePrefix '{options.TablePrefix}' must be empty or a letter followed by up to 39 letters and digits.");
        }

        if (options.TryTimeout < TimeSpan.FromSeconds(1) || options.TryTimeout > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{StorageOptions.SectionName}:TryTimeout '{options.TryTimeout}' must be between 00:00:01 and 00:10:00.");
        }

        if (options.MaxRetries is < 0 or > 10)
        {
            errors.Add($"{StorageOptions.SectionName}:MaxRetries {options.MaxRetries} must be between 0 and 10.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    [GeneratedRegex("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex ContainerName();

    [GeneratedRegex("^([A-Za-z][A-Za-z0-9]*)?$")]
    private static partial Regex TablePrefix();

    [GeneratedRegex("^[a-z0-9]{1,24}$")]
    private static partial Regex SegmentAccountLabel();
}
