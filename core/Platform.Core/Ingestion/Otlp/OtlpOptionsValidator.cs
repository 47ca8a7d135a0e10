using Microsoft.Extensions.Options;
using Platform.Core.Log.Topics;

namespace Platform.Core.Ingestion.Otlp;

/// <summary>Checks <see cref="OtlpOptions"/> at start-up.</summary>
public sealed class OtlpOptionsValidator : IValidateOptions<OtlpOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, OtlpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        foreach ((string key, string topic) in new[] { ("LogsTopic", options.LogsTopic), ("MetricsTopic", options.MetricsTopic), ("TracesTopic", options.TracesTopic) })
        {
            if (TopicName.Validate(topic) is { } problem)
            {
                errors.Add($"{OtlpOptions.SectionName}:{key}: {problem}");
            }
        }

        if (options.TopicPartitions is < 1 or > TopicName.MaxPartitions)
        {
            errors.Add($"{OtlpOptions.SectionName}:TopicPartitions must be between 1 and {TopicName.MaxPartitions}.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
