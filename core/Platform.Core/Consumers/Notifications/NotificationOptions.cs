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

    /// <summary>Retries of a recipient whose channel failed for a while (SMTP 4xx, HTTP 429/5xx, the network).</summary>
    public NotificationRetryOptions Retry { get; set; } = new();

    /// <summary>Digests: messages with one <c>digestKey</c> to one recipient merged into one.</summary>
    public DigestOptions Digest { get; set; } = new();

    /// <summary>Rate limits by channel (<c>email</c>, <c>webhook</c>, <c>slack</c>); a channel without one is not limited.</summary>
    public Dictionary<string, ChannelRateLimits> RateLimits { get; set; } = [];

    /// <summary>
    /// How long a recipient reserved for sending stays reserved before another handler may take it over (its sender
    /// presumed dead). It must exceed the longest send (SMTP's 30-second timeout, HTTP's 10). Default 2 minutes.
    /// </summary>
    public TimeSpan SendingTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How often parked notifications (<c>notBefore</c>, retries, rate-limited ones) and closing digests are looked at:
    /// an NCRONTAB with seconds, the <c>DispatchNotifications</c> timer's schedule. Default every 5 seconds.
    /// </summary>
    public string DispatchSchedule { get; set; } = "*/5 * * * * *";

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

/// <summary>Retries with exponential back-off and jitter; a <c>Retry-After</c> longer than the back-off is honoured.</summary>
public sealed class NotificationRetryOptions
{
    /// <summary>Wait before the first retry. Default 5 seconds.</summary>
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest wait between two tries. Default 10 minutes.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>After this long since the first try, a recipient still failing is <c>failed</c> with the last error. Default 24 hours.</summary>
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromHours(24);
}

/// <summary>Digest settings.</summary>
public sealed class DigestOptions
{
    /// <summary>How long a digest gathers from its first message before it is sent. Default 10 minutes.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Template a digest is rendered with (data: <c>digestKey</c>, <c>count</c>, <c>messages</c>); a built-in list when it does not exist. Default <c>digest</c>.</summary>
    public string Template { get; set; } = "digest";
}

/// <summary>One channel's rate limits: the excess waits (parked until it may go), it is never dropped.</summary>
public sealed class ChannelRateLimits
{
    /// <summary>At most this many sends to one recipient in any window of <see cref="RateLimit.Per"/>, over every instance (kept in Table Storage; Count at most 1,000).</summary>
    public RateLimit? PerRecipient { get; set; }

    /// <summary>This many sends on the channel per <see cref="RateLimit.Per"/> on average, in bursts of up to Count, per instance (kept in memory).</summary>
    public RateLimit? PerChannel { get; set; }
}

/// <summary>A rate: <see cref="Count"/> sends per <see cref="Per"/>, with bursts of up to <see cref="Count"/>.</summary>
public sealed class RateLimit
{
    /// <summary>Sends allowed per period.</summary>
    public int Count { get; set; }

    /// <summary>The period.</summary>
    public TimeSpan Per { get; set; }
}
