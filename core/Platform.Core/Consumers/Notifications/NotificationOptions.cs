namespace Platform.Core.Consumers.Notifications;

/// <summary>The notification delivery job (<c>Platform:Notifications</c>). It runs when an SMTP host or a webhook or Slack channel is set.</summary>
public sealed class NotificationOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Platform:Notifications";

    /// <summary>Topic applications produce notifications to. Default <c>notifications</c>.</summary>
    public string Topic { get; set; } = "notifications";

    /// <summary>Topic of delivery outcomes. Default <c>notifications.status</c>.</summary>
    public string StatusTopic { get; set; } = "notifications.status";

    /// <summary>Consumer group of the job. Default <c>notifications</c>.</summary>
    public string Group { get; set; } = "notifications";

    /// <summary>The SMTP server.</summary>
    public SmtpSettings Smtp { get; set; } = new();

    /// <summary>Webhook channels by name: URL and HMAC secret.</summary>
    public Dictionary<string, WebhookChannel> Webhooks { get; set; } = [];

    /// <summary>Slack-compatible incoming webhooks by name.</summary>
    public Dictionary<string, SlackChannel> Slack { get; set; } = [];

    /// <summary>True when the job has somewhere to send.</summary>
    public bool Enabled => !string.IsNullOrEmpty(Smtp.Host) || Webhooks.Count > 0 || Slack.Count > 0;
}

/// <summary>SMTP settings (secrets as Key Vault references on Azure).</summary>
public sealed class SmtpSettings
{
    /// <summary>Host; empty turns e-mail off.</summary>
    public string? Host { get; set; }

    /// <summary>Port. Default 587.</summary>
    public int Port { get; set; } = 587;

    /// <summary><c>Auto</c>, <c>None</c>, <c>StartTls</c>, <c>StartTlsWhenAvailable</c> or <c>SslOnConnect</c>. Default <c>Auto</c>.</summary>
    public string Security { get; set; } = "Auto";

    /// <summary>User name; empty: no authentication.</summary>
    public string? User { get; set; }

    /// <summary>Password.</summary>
    public string? Password { get; set; }

    /// <summary>The From address. Default <c>platform@localhost</c>.</summary>
    public string From { get; set; } = "platform@localhost";

    /// <summary>When set, every e-mail carries <c>List-Unsubscribe: &lt;{url}?recipient=…&gt;</c>.</summary>
    public string? UnsubscribeUrl { get; set; }
}

/// <summary>A webhook channel.</summary>
public sealed class WebhookChannel
{
    /// <summary>Where to POST.</summary>
    public string Url { get; set; } = "";

    /// <summary>HMAC-SHA256 key for the signature header; empty: unsigned.</summary>
    public string? Secret { get; set; }
}

/// <summary>A Slack-compatible incoming webhook.</summary>
public sealed class SlackChannel
{
    /// <summary>The incoming webhook URL.</summary>
    public string Url { get; set; } = "";
}
