namespace Platform.Core.Alerting.Routing;

/// <summary>The built-in router's configuration as written: Alertmanager's format, the parts the router implements.</summary>
public sealed class RoutingConfigFile
{
    /// <summary>The root of the routing tree.</summary>
    public RouteSpec? Route { get; set; }

    /// <summary>Where notifications go.</summary>
    public List<ReceiverSpec>? Receivers { get; set; }

    /// <summary>Alerts that mute others while they fire.</summary>
    public List<InhibitRuleSpec>? InhibitRules { get; set; }
}

/// <summary>A node of the routing tree; unset options are inherited from the parent.</summary>
public sealed class RouteSpec
{
    /// <summary>Receiver name.</summary>
    public string? Receiver { get; set; }

    /// <summary>Labels that split alerts into groups (<c>...</c>: every label).</summary>
    public List<string>? GroupBy { get; set; }

    /// <summary>How long a new group waits before its first notification.</summary>
    public string? GroupWait { get; set; }

    /// <summary>How long a group waits before notifying about changes.</summary>
    public string? GroupInterval { get; set; }

    /// <summary>How long before the same notification is sent again.</summary>
    public string? RepeatInterval { get; set; }

    /// <summary>Matchers such as <c>severity="page"</c> or <c>job=~"api|web"</c>.</summary>
    public List<string>? Matchers { get; set; }

    /// <summary>Whether matching goes on to the next sibling after this route matched.</summary>
    public bool Continue { get; set; }

    /// <summary>Child routes.</summary>
    public List<RouteSpec>? Routes { get; set; }
}

/// <summary>A named receiver with its integrations.</summary>
public sealed class ReceiverSpec
{
    /// <summary>Unique name.</summary>
    public string Name { get; set; } = "";

    /// <summary>Webhooks (Alertmanager's webhook payload, version 4).</summary>
    public List<WebhookSpec>? WebhookConfigs { get; set; }

    /// <summary>Slack-compatible incoming webhooks.</summary>
    public List<SlackSpec>? SlackConfigs { get; set; }

    /// <summary>E-mail, handed to the notification delivery topic.</summary>
    public List<EmailSpec>? EmailConfigs { get; set; }
}

/// <summary>A webhook.</summary>
public sealed class WebhookSpec
{
    /// <summary>Where to POST.</summary>
    public string? Url { get; set; }

    /// <summary>Name of the setting (app setting or Key Vault reference) holding the HMAC key; none: unsigned.</summary>
    public string? HmacSecretSetting { get; set; }

    /// <summary>Whether resolved notifications are sent. Default true.</summary>
    public bool? SendResolved { get; set; }
}

/// <summary>A Slack-compatible incoming webhook.</summary>
public sealed class SlackSpec
{
    /// <summary>The incoming webhook URL.</summary>
    public string? ApiUrl { get; set; }

    /// <summary>Channel override.</summary>
    public string? Channel { get; set; }

    /// <summary>Message text template (Go template over the notification). Default a summary line per alert.</summary>
    public string? Text { get; set; }

    /// <summary>Whether resolved notifications are sent. Default false, as Alertmanager's Slack.</summary>
    public bool? SendResolved { get; set; }
}

/// <summary>E-mail to an address.</summary>
public sealed class EmailSpec
{
    /// <summary>Recipient address.</summary>
    public string? To { get; set; }

    /// <summary>Whether resolved notifications are sent. Default false, as Alertmanager's e-mail.</summary>
    public bool? SendResolved { get; set; }
}

/// <summary>While an alert matching the source matchers fires, alerts matching the target matchers with equal labels are muted.</summary>
public sealed class InhibitRuleSpec
{
    /// <summary>Matchers of the muting alerts.</summary>
    public List<string>? SourceMatchers { get; set; }

    /// <summary>Matchers of the muted alerts.</summary>
    public List<string>? TargetMatchers { get; set; }

    /// <summary>Labels that must be equal in source and target.</summary>
    public List<string>? Equal { get; set; }
}
