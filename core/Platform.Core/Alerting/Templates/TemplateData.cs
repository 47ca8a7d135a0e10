namespace Platform.Core.Alerting.Templates;

/// <summary>What a rule's templates see: <c>$labels</c> (<c>.Labels</c>), <c>$value</c> (<c>.Value</c>), <c>$externalLabels</c>, <c>$externalURL</c>.</summary>
public sealed record TemplateData(IReadOnlyDictionary<string, string> Labels, double Value, IReadOnlyDictionary<string, string> ExternalLabels, string ExternalUrl);
