using Microsoft.Extensions.Options;

namespace Platform.Core.Security;

/// <summary>Checks <see cref="AuthOptions"/> at start-up.</summary>
public sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.AdminKey is { Length: < 16 }
            ? ValidateOptionsResult.Fail($"{AuthOptions.SectionName}:AdminKey must be at least 16 characters long.")
            : ValidateOptionsResult.Success;
    }
}
