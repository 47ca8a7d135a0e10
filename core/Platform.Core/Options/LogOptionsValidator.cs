using Microsoft.Extensions.Options;

namespace Platform.Core.Options;

/// <summary>Checks <see cref="LogOptions"/> at start-up, relationships included.</summary>
public sealed class LogOptionsValidator : IValidateOptions<LogOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, LogOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.MaxBatchBytes is < 1024 or > 100 * 1024 * 1024)
        {
            errors.Add($"{LogOptions.SectionName}:MaxBatchBytes must be between 1 KiB and 100 MiB (the service's block limit); it is {options.MaxBatchBytes}.");
        }

        if (options.SegmentBytes < options.MaxBatchBytes)
        {
            errors.Add($"{LogOptions.SectionName}:SegmentBytes ({options.SegmentBytes}) must be at least MaxBatchBytes ({options.MaxBatchBytes}).");
        }

        if (options.SegmentHardLimitBytes > LogOptions.ServiceMaxBlobBytes)
        {
            errors.Add($"{LogOptions.SectionName}:SegmentBytes + MaxBatchBytes must stay within the append blob limit of {LogOptions.ServiceMaxBlobBytes} bytes.");
        }

        if (options.SegmentMaxBlocks is < 1 or >= LogOptions.ServiceMaxBlocks)
        {
            errors.Add($"{LogOptions.SectionName}:SegmentMaxBlocks must be between 1 and {LogOptions.ServiceMaxBlocks - 1}; it is {options.SegmentMaxBlocks}.");
        }

        if (options.MaxBatchRecords < 1)
        {
            errors.Add($"{LogOptions.SectionName}:MaxBatchRecords must be at least 1.");
        }

        if (options.Linger < TimeSpan.Zero || options.Linger > TimeSpan.FromSeconds(1))
        {
            errors.Add($"{LogOptions.SectionName}:Linger must be between 0 and 1 s; it is {options.Linger}.");
        }

        if (options.MaxPendingBytesPerPartition < options.MaxBatchBytes)
        {
            errors.Add($"{LogOptions.SectionName}:MaxPendingBytesPerPartition must be at least MaxBatchBytes.");
        }

        if (options.MaxAppendAttempts < 1 || options.AppendTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{LogOptions.SectionName}:MaxAppendAttempts and AppendTimeout must be positive.");
        }

        if (options.ProducerStateScanBytes < options.MaxBatchBytes)
        {
            errors.Add($"{LogOptions.SectionName}:ProducerStateScanBytes must be at least MaxBatchBytes.");
        }

        if (options.IndexIntervalBytes < 0 || options.IndexIntervalBytes > options.SegmentBytes)
        {
            errors.Add($"{LogOptions.SectionName}:IndexIntervalBytes must be between 0 and SegmentBytes; it is {options.IndexIntervalBytes}.");
        }

        if (options.IndexFlushInterval <= TimeSpan.Zero)
        {
            errors.Add($"{LogOptions.SectionName}:IndexFlushInterval must be positive.");
        }

        if (options.IndexBatchSize is < 1 or > 100)
        {
            errors.Add($"{LogOptions.SectionName}:IndexBatchSize must be between 1 and 100.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
