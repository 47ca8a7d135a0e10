namespace Platform.Core.Consumers.Notifications;

/// <summary>The outcomes a recipient of a notification can have; the final ones are never sent again.</summary>
public static class NotificationStates
{
    /// <summary>True for sent, failed, expired and suppressed.</summary>
    public static bool IsFinal(string state) => state is "sent" or "failed" or "expired" or "suppressed";
}
