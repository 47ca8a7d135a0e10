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
        if (options.MaxBatchBytes is < 1024 or > Storage.SegmentLimits.MaxBlockBytes)
        {
            errors.Add($"{LogOptions.SectionName}:MaxBatchBytes must be between 1 KiB and 4 MiB (the block limit of every storage service version); it is {options.MaxBatchBytes}.");
        }

        if (options.SegmentBytes < options.MaxBatchBytes)
        {
            errors.Add($"{LogOptions.SectionName}:SegmentBytes ({options.SegmentBytes}) must be at least MaxBatchBytes ({options.MaxBatchBytes}).");
        }

        if (options.SegmentHardLimitBytes > LogOptions.ServiceMaxBlobBytes)
        {
            errors.Add($"{LogOptions.SectionName}:SegmentBytes + 4 MiB must stay within the append blob limit of {LogOptions.ServiceMaxBlobBytes} bytes.");
        }

        if (options.SegmentMaxBlocks is < 1 or >= LogOptions.ServiceMaxBlocks)
        {
            errors.Add($"{LogOptions.SectionName}:SegmentMaxBlocks must be between 1 and {LogOptions.ServiceMaxBlocks - 1}; it is {options.SegmentMaxBlocks}.");
        }

        if (options.CompactionMaxKeys < 1000)
        {
            errors.Add($"{LogOptions.SectionName}:CompactionMaxKeys must be at least 1000; it is {options.CompactionMaxKeys}.");
        }

        if (options.TopicDeleteGrace < TimeSpan.FromSeconds(90) || options.TopicDeleteGrace > TimeSpan.FromDays(7))
        {
            errors.Add($"{LogOptions.SectionName}:TopicDeleteGrace must be between 90 s (longer than instances cache a topic, its segment list and read positions, plus an append's time-out) and 7 days; it is {options.TopicDeleteGrace}.");
        }

        if (options.CompactionClaim < TimeSpan.FromSeconds(30))
        {
            errors.Add($"{LogOptions.SectionName}:CompactionClaim must be at least 30 s; it is {options.CompactionClaim}.");
        }

        if (options.MaxBatchRecords < 1)
        {
            errors.Add($"{LogOptions.SectionName}:MaxBatchRecords must be at least 1.");
        }

        if (options.MaxWaitingFetches < 1)
        {
            errors.Add($"{LogOptions.SectionName}:MaxWaitingFetches must be at least 1; it is {options.MaxWaitingFetches}.");
        }

        if (options.WaitCheckInterval < TimeSpan.FromMilliseconds(10) || options.WaitCheckInterval > TimeSpan.FromSeconds(10))
        {
            errors.Add($"{LogOptions.SectionName}:WaitCheckInterval must be between 10 ms and 10 s; it is {options.WaitCheckInterval}.");
        }

        if (options.Linger < TimeSpan.Zero || options.Linger > TimeSpan.FromSeconds(1))
        {
            errors.Add($"{LogOptions.SectionName}:Linger must be between 0 and 1 s; it is {options.Linger}.");
        }

        if (options.ContendedLingerMax < TimeSpan.Zero || options.ContendedLingerMax > TimeSpan.FromSeconds(1))
        {
            errors.Add($"{LogOptions.SectionName}:ContendedLingerMax must be between 0 and 1 s; it is {options.ContendedLingerMax}.");
        }

        if (options.WriterLeaseDuration < TimeSpan.FromSeconds(3) || options.WriterLeaseDuration > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{LogOptions.SectionName}:WriterLeaseDuration must be between 3 s and 5 min; it is {options.WriterLeaseDuration}.");
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

        if (options.ProducerIdExpiration < TimeSpan.FromMinutes(1) || options.ProducerIdExpiration > TimeSpan.FromDays(365))
        {
            errors.Add($"{LogOptions.SectionName}:ProducerIdExpiration must be between 1 minute and 365 days; it is {options.ProducerIdExpiration}.");
        }

        if (options.MaxProducersPerPartition is < 100 or > 10_000_000)
        {
            errors.Add($"{LogOptions.SectionName}:MaxProducersPerPartition must be between 100 and 10,000,000; it is {options.MaxProducersPerPartition}.");
        }

        if (options.IndexIntervalBytes < 0 || options.IndexIntervalBytes > options.SegmentBytes)
        {
            errors.Add($"{LogOptions.SectionName}:IndexIntervalBytes must be between 0 and SegmentBytes; it is {options.IndexIntervalBytes}.");
        }

        if (options.IndexFlushInterval <= TimeSpan.Zero)
        {
            errors.Add($"{LogOptions.SectionName}:IndexFlushInterval must be positive.");
        }

        if (options.IndexWriteDelay < TimeSpan.Zero || options.IndexWriteDelay > TimeSpan.FromMinutes(1))
        {
            errors.Add($"{LogOptions.SectionName}:IndexWriteDelay must be between 0 and 1 minute; it is {options.IndexWriteDelay}.");
        }

        if (options.IndexBatchSize is < 1 or > 100)
        {
            errors.Add($"{LogOptions.SectionName}:IndexBatchSize must be between 1 and 100.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
