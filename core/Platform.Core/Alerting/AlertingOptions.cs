namespace Platform.Core.Alerting;

/// <summary>Rule evaluation and notifications (<c>Platform:Alerting</c>).</summary>
public sealed class AlertingOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Platform:Alerting";

    /// <summary>Whether rule groups are evaluated. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// CRON (with seconds) of the timer that evaluates the groups that are due (also the timer trigger's
    /// <c>%Platform:Alerting:EvaluationSchedule%</c>). Default every 15 seconds; each group runs at its own interval.
    /// </summary>
    public string EvaluationSchedule { get; set; } = "*/15 * * * * *";

    /// <summary>A group's interval when its file gives none. Default 1 minute.</summary>
    public TimeSpan DefaultInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often a firing alert is sent again (Prometheus's <c>rules.alert.resend-delay</c>). Default 1 minute.</summary>
    public TimeSpan ResendDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Most missed evaluations of a group caught up at once (older ones are counted and logged). Default 10.</summary>
    public int MaxCatchUp { get; set; } = 10;

    /// <summary>Topic of alert state changes. Default <c>alerts</c>.</summary>
    public string AlertsTopic { get; set; } = "alerts";

    /// <summary>Alertmanager base URLs (e.g. <c>http://alertmanager:9093</c>); alerts go to every one, as Prometheus sends them.</summary>
    public List<string> AlertmanagerUrls { get; set; } = [];

    /// <summary>Labels added to every alert sent (Prometheus's <c>external_labels</c>), and seen as <c>$externalLabels</c>.</summary>
    public Dictionary<string, string> ExternalLabels { get; set; } = [];

    /// <summary>This platform's URL as seen by people (<c>$externalURL</c>, generator URLs). Default none.</summary>
    public string ExternalUrl { get; set; } = "";

    /// <summary>A folder of rule files (<c>*.yml</c>, <c>*.yaml</c>) loaded at start, each group replacing the stored one. Default none.</summary>
    public string? RulesDirectory { get; set; }
}
