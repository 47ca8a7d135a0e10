using Microsoft.Extensions.Options;
using Platform.Core.Log.Topics;

namespace Platform.Core.Consumers.Elasticsearch;

/// <summary>Checks <see cref="ElasticsearchOptions"/> at start-up; every message names its setting.</summary>
public sealed class ElasticsearchOptionsValidator : IValidateOptions<ElasticsearchOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ElasticsearchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string S = ElasticsearchOptions.SectionName;
        var errors = new List<string>();
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success; // off: its other settings are not used, so they stop nothing
        }

        if ((!Uri.TryCreate(options.Url, UriKind.Absolute, out Uri? url) || url.Scheme is not ("http" or "https")))
        {
            string hint = options.Url!.StartsWith("@Microsoft.KeyVault", StringComparison.OrdinalIgnoreCase)
                ? " It looks like a Key Vault reference the host did not resolve (check the app's identity and access to the vault)."
                : string.Empty;
            errors.Add($"{S}:Url must be an absolute http or https URL; it is '{options.Url}'.{hint}");
        }

        if (TopicName.Validate(options.Topic) is { } topic)
        {
            errors.Add($"{S}:Topic: {topic}");
        }

        if (GroupName.Validate(options.Group) is { } group)
        {
            errors.Add($"{S}:Group: {group}");
        }

        foreach ((string setting, string value) in new[] { ("Namespace", options.Namespace), ("DefaultDataset", options.DefaultDataset) })
        {
            // Elasticsearch data stream names: lower case, no hyphen (it separates type, dataset and namespace).
            if (string.IsNullOrEmpty(value) || value.Length > 100 || value.Any(c => char.IsUpper(c) || c is '-' or ' ' or '\\' or '/' or '*' or '?' or '"' or '<' or '>' or '|' or ',' or '#' or ':'))
            {
                errors.Add($"{S}:{setting} '{value}' must be 1 to 100 lower-case characters without '-', spaces or \\/*?\"<>|,#:.");
            }
        }

        if (options.ItemAttempts is < 1 or > 20)
        {
            errors.Add($"{S}:ItemAttempts must be between 1 and 20; it is {options.ItemAttempts}.");
        }

        if (options.ItemBackoff < TimeSpan.Zero || options.ItemBackoff > TimeSpan.FromMinutes(1))
        {
            errors.Add($"{S}:ItemBackoff must be between 0 and 1 minute; it is {options.ItemBackoff}.");
        }

        for (int i = 0; i < options.Routes.Count; i++)
        {
            ElasticsearchRoute route = options.Routes[i];
            if (string.IsNullOrWhiteSpace(route.Attribute))
            {
                errors.Add($"{S}:Routes:{i}:Attribute is required.");
            }

            if (string.IsNullOrWhiteSpace(route.Index) && string.IsNullOrWhiteSpace(route.Topic))
            {
                errors.Add($"{S}:Routes:{i} must name an Index or a Topic (or both).");
            }

            if (!string.IsNullOrWhiteSpace(route.Topic) && TopicName.Validate(route.Topic) is { } routeTopic)
            {
                errors.Add($"{S}:Routes:{i}:Topic: {routeTopic}");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
