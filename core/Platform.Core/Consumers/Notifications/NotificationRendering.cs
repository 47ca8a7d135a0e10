using Platform.Core.Storage;

namespace Platform.Core.Consumers.Notifications;

/// <summary>A message's subject and bodies: its own, or its template's rendered with its data.</summary>
public static class NotificationRendering
{
    /// <summary>The rendered message, or why it cannot be (a missing template, a render error).</summary>
    public static async Task<(RenderedNotification? Rendered, string? Error)> RenderAsync(INotificationStore store, NotificationMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(message);
        if (message.Template is null) return (new RenderedNotification(message.Subject ?? "", message.Body?.Text, message.Body?.Html), null);
        var template = await store.GetTemplateAsync(message.Template, cancellationToken).ConfigureAwait(false);
        if (template is null) return (null, $"template '{message.Template}' does not exist");
        try
        {
            return (NotificationTemplates.Render(template, message.Data), null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return (null, $"template '{message.Template}' failed to render: {e.Message}");
        }
    }
}

/// <summary>A message that was taken in could not be rendered when its time came (its template gone or broken since).</summary>
public sealed class NotificationRenderException : Exception
{
    /// <summary>Creates the exception with the reason.</summary>
    public NotificationRenderException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public NotificationRenderException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public NotificationRenderException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
