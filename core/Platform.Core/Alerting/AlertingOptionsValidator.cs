using Microsoft.Extensions.Options;

namespace Platform.Core.Alerting;

/// <summary>Checks <see cref="AlertingOptions"/> at start, naming the setting that is wrong.</summary>
public sealed class AlertingOptionsValidator : IValidateOptions<AlertingOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, AlertingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (!Consumers.ConsumerOptionsValidator.IsSchedule(options.EvaluationSchedule))
        {
            errors.Add($"Platform:Alerting:EvaluationSchedule '{options.EvaluationSchedule}' must be a CRON expression of 5 or 6 fields, such as */15 * * * * *, or a TimeSpan.");
        }
        if (options.DefaultInterval < TimeSpan.FromSeconds(1)) errors.Add("Platform:Alerting:DefaultInterval must be at least 1 second.");
        if (options.ResendDelay < TimeSpan.Zero) errors.Add("Platform:Alerting:ResendDelay must not be negative.");
        if (options.MaxCatchUp is < 1 or > 1000) errors.Add("Platform:Alerting:MaxCatchUp must be between 1 and 1,000.");
        if (Log.Topics.TopicName.Validate(options.AlertsTopic) is { } topicError) errors.Add($"Platform:Alerting:AlertsTopic: {topicError}");
        foreach (var url in options.AlertmanagerUrls)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                errors.Add($"Platform:Alerting:AlertmanagerUrls '{url}' must be an absolute http or https URL.");
            }
        }
        foreach (var label in options.ExternalLabels.Keys)
        {
            if (!Promql.Parser.PromqlParser.IsLabelName(label)) errors.Add($"Platform:Alerting:ExternalLabels '{label}' is not a label name.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
