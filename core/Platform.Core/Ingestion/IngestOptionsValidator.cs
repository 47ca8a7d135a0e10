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
        if (options.MaxRequestBytes is < 1024 or > IngestOptions.HostMaxRequestBytes)
        {
            errors.Add($"{IngestOptions.SectionName}:MaxRequestBytes must be between 1 KiB and 100 MB ({IngestOptions.HostMaxRequestBytes} bytes, the Functions host's request limit); it is {options.MaxRequestBytes}.");
        }

        if (options.MaxRecordsPerRequest is < 1 or > 1_000_000)
        {
            errors.Add($"{IngestOptions.SectionName}:MaxRecordsPerRequest must be between 1 and 1,000,000.");
        }

        if (options.MaxConsumeWait < TimeSpan.Zero || options.MaxConsumeWait > IngestOptions.LongestConsumeWait)
        {
            errors.Add($"{IngestOptions.SectionName}:MaxConsumeWait must be between 0 and {IngestOptions.LongestConsumeWait.TotalSeconds} s, safely below the 230 s after which Azure's front end cuts an HTTP request; it is {options.MaxConsumeWait}.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
