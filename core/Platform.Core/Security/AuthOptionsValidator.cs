using Microsoft.Extensions.Options;

namespace Platform.Core.Security;

/// <summary>Checks <see cref="AuthOptions"/> at start-up.</summary>
public sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // Without a first key nobody can create one: a deployment would answer 401 to everything. The local host makes
        // one up and prints it; everywhere else it must be set (on Azure, a Key Vault reference in the app settings).
        return options.AdminKey switch
        {
            null or "" => ValidateOptionsResult.Fail($"{AuthOptions.SectionName}:AdminKey is required: it is the first key, from which every other is made. On Azure set the app setting Platform__Auth__AdminKey to a Key Vault reference (@Microsoft.KeyVault(SecretUri=…)); the local host makes one up when it is not set."),
            { Length: < 16 } => ValidateOptionsResult.Fail($"{AuthOptions.SectionName}:AdminKey must be at least 16 characters long."),
            { Length: > ApiKeyService.MaxPresentedLength } => ValidateOptionsResult.Fail($"{AuthOptions.SectionName}:AdminKey is {options.AdminKey.Length} characters; keys longer than {ApiKeyService.MaxPresentedLength} are never accepted, so it could never be used."),
            _ when options.AdminKey.StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase) => ValidateOptionsResult.Fail($"{AuthOptions.SectionName}:AdminKey is a Key Vault reference the host did not resolve (check the app's identity and its access to the vault); its literal text must never become a key."),
            _ => ValidateOptionsResult.Success,
        };
    }
}
