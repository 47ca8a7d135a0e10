using Microsoft.Extensions.Options;

namespace Platform.Core.Ingestion;

/// <summary>Checks <see cref="IngestOptions"/> at start-up.</summary>
public sealed class IngestOptionsValidator : IValidateOptions<IngestOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, IngestOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.MaxRequestBytes is < 1024 or > 256 * 1024 * 1024)
        {
            errors.Add($"{IngestOptions.SectionName}:MaxRequestBytes must be between 1 KiB and 256 MiB.");
        }

        if (options.MaxRecordsPerRequest is < 1 or > 1_000_000)
        {
            errors.Add($"{IngestOptions.SectionName}:MaxRecordsPerRequest must be between 1 and 1,000,000.");
        }

        if (options.MaxConsumeWait < TimeSpan.Zero || options.MaxConsumeWait > TimeSpan.FromMinutes(4))
        {
            errors.Add($"{IngestOptions.SectionName}:MaxConsumeWait must be between 0 and 4 minutes (Functions' HTTP limit is 230 s).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
