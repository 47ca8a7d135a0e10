using Microsoft.Extensions.Options;
using Platform.Core.Log.Topics;

namespace Platform.Core.Consumers.Notifications;

/// <summary>Checks <see cref="NotificationOptions"/> at start, naming the setting that is wrong.</summary>
public sealed class NotificationOptionsValidator : IValidateOptions<NotificationOptions>
{
    private static readonly string[] Securities = ["Auto", "None", "StartTls", "StartTlsWhenAvailable", "SslOnConnect"];

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, NotificationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (TopicName.Validate(options.Topic) is { } t) errors.Add($"Platform:Notifications:Topic: {t}");
        if (TopicName.Validate(options.StatusTopic) is { } st) errors.Add($"Platform:Notifications:StatusTopic: {st}");
        if (GroupName.Validate(options.Group) is { } g) errors.Add($"Platform:Notifications:Group: {g}");
        if (options.Smtp.Port is < 1 or > 65535) errors.Add("Platform:Notifications:Smtp:Port must be between 1 and 65535.");
        if (!Securities.Contains(options.Smtp.Security, StringComparer.OrdinalIgnoreCase)) errors.Add($"Platform:Notifications:Smtp:Security must be one of {string.Join(", ", Securities)}.");
        if (!MimeKit.MailboxAddress.TryParse(options.Smtp.From, out _)) errors.Add($"Platform:Notifications:Smtp:From '{options.Smtp.From}' is not an e-mail address.");
        foreach (var (channel, webhook) in options.Webhooks)
        {
            if (!Uri.TryCreate(webhook.Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")) errors.Add($"Platform:Notifications:Webhooks:{channel}:Url must be an absolute http or https URL.");
        }
        foreach (var (channel, slack) in options.Slack)
        {
            if (!Uri.TryCreate(slack.Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")) errors.Add($"Platform:Notifications:Slack:{channel}:Url must be an absolute http or https URL.");
        }
        if (options.Retry.InitialDelay <= TimeSpan.Zero) errors.Add("Platform:Notifications:Retry:InitialDelay must be positive.");
        if (options.Retry.MaxDelay < options.Retry.InitialDelay) errors.Add("Platform:Notifications:Retry:MaxDelay must be at least InitialDelay.");
        if (options.Retry.GiveUpAfter <= TimeSpan.Zero) errors.Add("Platform:Notifications:Retry:GiveUpAfter must be positive.");
        if (options.SendingTimeout < TimeSpan.FromSeconds(40)) errors.Add("Platform:Notifications:SendingTimeout must be at least 40 seconds (a send, the wait for the SMTP connection included, is cut off at three quarters of it).");
        if (options.Digest.Window <= TimeSpan.Zero) errors.Add("Platform:Notifications:Digest:Window must be positive.");
        if (!NotificationTemplates.IsValidName(options.Digest.Template)) errors.Add($"Platform:Notifications:Digest:Template '{options.Digest.Template}' is not a template name.");
        if (string.IsNullOrWhiteSpace(options.DispatchSchedule)) errors.Add("Platform:Notifications:DispatchSchedule must be an NCRONTAB schedule.");
        foreach (var (channel, limits) in options.RateLimits)
        {
            if (channel is not ("email" or "webhook" or "slack")) errors.Add($"Platform:Notifications:RateLimits:{channel}: the channels are email, webhook and slack.");
            foreach (var (which, limit) in new[] { ("PerRecipient", limits.PerRecipient), ("PerChannel", limits.PerChannel) })
            {
                if (limit is not null && (limit.Count < 1 || limit.Per <= TimeSpan.Zero)) errors.Add($"Platform:Notifications:RateLimits:{channel}:{which} needs a Count of at least 1 and a positive Per.");
                if (limit is not null && which == "PerRecipient" && limit.Count > Scheduling.SlidingWindow.MaxCount) errors.Add($"Platform:Notifications:RateLimits:{channel}:PerRecipient:Count may be at most {Scheduling.SlidingWindow.MaxCount}.");
            }
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
