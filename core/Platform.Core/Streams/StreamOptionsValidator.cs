using Microsoft.Extensions.Options;

namespace Platform.Core.Streams;

/// <summary>Checks <see cref="StreamOptions"/> at start-up.</summary>
public sealed class StreamOptionsValidator : IValidateOptions<StreamOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, StreamOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Schedule)) errors.Add($"{StreamOptions.SectionName}:Schedule is required (a CRON expression with seconds).");
        if (options.FetchMaxRecords is < 1 or > 100_000) errors.Add($"{StreamOptions.SectionName}:FetchMaxRecords must be between 1 and 100000; it is {options.FetchMaxRecords}.");
        if (options.FetchMaxBytes is < 1024 or > 64 * 1024 * 1024) errors.Add($"{StreamOptions.SectionName}:FetchMaxBytes must be between 1 KiB and 64 MiB; it is {options.FetchMaxBytes}.");
        if (options.MaxRunTime < TimeSpan.FromSeconds(1) || options.MaxRunTime > TimeSpan.FromHours(1)) errors.Add($"{StreamOptions.SectionName}:MaxRunTime must be between 1 s and 1 h; it is {options.MaxRunTime}.");
        if (options.Directory is { Length: > 0 } dir && !System.IO.Directory.Exists(dir)) errors.Add($"{StreamOptions.SectionName}:Directory '{dir}' does not exist.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
