using Microsoft.Extensions.Options;

namespace Platform.Core.Consumers;

/// <summary>Checks <see cref="ConsumerOptions"/> at start-up, relationships included; every message names its setting.</summary>
public sealed class ConsumerOptionsValidator : IValidateOptions<ConsumerOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ConsumerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string S = ConsumerOptions.SectionName;
        var errors = new List<string>();
        if (options.ClaimDuration < TimeSpan.FromMilliseconds(100) || options.ClaimDuration > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{S}:ClaimDuration must be between 100 ms and 10 minutes; it is {options.ClaimDuration}.");
        }

        if (options.FetchMaxBytes is < 1 or > 64 * 1024 * 1024)
        {
            errors.Add($"{S}:FetchMaxBytes must be between 1 byte and 64 MiB; it is {options.FetchMaxBytes}.");
        }

        if (options.FetchMaxRecords is < 1 or > 100_000)
        {
            errors.Add($"{S}:FetchMaxRecords must be between 1 and 100,000; it is {options.FetchMaxRecords}.");
        }

        if (options.HandlerAttempts is < 1 or > 20)
        {
            errors.Add($"{S}:HandlerAttempts must be between 1 and 20; it is {options.HandlerAttempts}.");
        }

        if (options.RetryBackoff < TimeSpan.Zero)
        {
            errors.Add($"{S}:RetryBackoff must not be negative; it is {options.RetryBackoff}.");
        }

        if (options.MaxRunTime < TimeSpan.FromSeconds(1) || options.MaxRunTime > TimeSpan.FromHours(1))
        {
            errors.Add($"{S}:MaxRunTime must be between 1 s and 1 hour; it is {options.MaxRunTime}.");
        }
        else if (TotalBackoff(options) >= options.MaxRunTime)
        {
            errors.Add($"{S}:RetryBackoff doubled over HandlerAttempts waits {TotalBackoff(options)} in all, which must fit inside MaxRunTime ({options.MaxRunTime}), or a run could end before a record is retried or dead-lettered.");
        }

        if (options.WakeupDebounce < TimeSpan.Zero || options.WakeupDebounce > TimeSpan.FromSeconds(10))
        {
            errors.Add($"{S}:WakeupDebounce must be between 0 and 10 s; it is {options.WakeupDebounce}.");
        }

        if (!IsQueueName(options.WakeupQueue))
        {
            errors.Add($"{S}:WakeupQueue '{options.WakeupQueue}' is not a storage queue name that leaves room for its poison queue '{{name}}-poison' (3 to 56 lower-case letters, digits and single hyphens, starting and ending with a letter or digit).");
        }

        if (!IsSchedule(options.SweepSchedule))
        {
            errors.Add($"{S}:SweepSchedule '{options.SweepSchedule}' must be a CRON expression of 5 or 6 fields (the only form Flex Consumption takes) or a TimeSpan such as 00:00:10.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static TimeSpan TotalBackoff(ConsumerOptions o)
    {
        TimeSpan total = TimeSpan.Zero;
        for (int attempt = 1; attempt < o.HandlerAttempts; attempt++)
        {
            total += o.RetryBackoff * (1 << Math.Min(attempt - 1, 6));
        }

        return total;
    }

    /// <summary>A timer schedule the Functions host takes: CRON of 5 or 6 fields, or a positive TimeSpan.</summary>
    internal static bool IsSchedule(string? schedule)
    {
        if (string.IsNullOrWhiteSpace(schedule))
        {
            return false;
        }

        if (TimeSpan.TryParse(schedule, System.Globalization.CultureInfo.InvariantCulture, out TimeSpan interval))
        {
            return interval > TimeSpan.Zero;
        }

        string[] fields = schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length is 5 or 6 && fields.All(f => f.All(c => char.IsAsciiLetterOrDigit(c) || c is '*' or '/' or ',' or '-' or '?'));
    }

    private static bool IsQueueName(string? name) =>
        name is { Length: >= 3 and <= 56 }
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
        && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1])
        && !name.Contains("--", StringComparison.Ordinal);
}
