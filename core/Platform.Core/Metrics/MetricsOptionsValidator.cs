using Microsoft.Extensions.Options;
using Platform.Core.Consumers;

namespace Platform.Core.Metrics;

/// <summary>Checks <see cref="MetricsOptions"/> at start, naming the setting that is wrong.</summary>
public sealed class MetricsOptionsValidator : IValidateOptions<MetricsOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, MetricsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (GroupName.Validate(options.Group) is { } groupError) errors.Add($"Platform:Metrics:Group: {groupError}");
        if (options.LateSampleGrace <= TimeSpan.Zero || options.LateSampleGrace > TimeSpan.FromDays(7))
        {
            errors.Add("Platform:Metrics:LateSampleGrace must be more than 0 and at most 7 days.");
        }
        if (options.FutureTolerance < TimeSpan.Zero || options.FutureTolerance > TimeSpan.FromHours(1))
        {
            errors.Add("Platform:Metrics:FutureTolerance must be between 0 and 1 hour.");
        }
        if (options.MaxSeriesPerMetric is < 1 or > 1_000_000) errors.Add("Platform:Metrics:MaxSeriesPerMetric must be between 1 and 1,000,000.");
        if (options.WriteConcurrency is < 1 or > 256) errors.Add("Platform:Metrics:WriteConcurrency must be between 1 and 256.");
        if (options.QueryMaxSamples < 1) errors.Add("Platform:Metrics:QueryMaxSamples must be at least 1.");
        if (options.QueryTimeout <= TimeSpan.Zero) errors.Add("Platform:Metrics:QueryTimeout must be more than 0.");
        if (options.LookbackDelta <= TimeSpan.Zero) errors.Add("Platform:Metrics:LookbackDelta must be more than 0.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
