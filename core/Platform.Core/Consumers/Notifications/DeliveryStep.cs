namespace Platform.Core.Consumers.Notifications;

/// <summary>
/// Tries made so far at one recipient: how many, when the first was (0: none yet), and the slot it booked under the
/// recipient's rate limit (0: none; with one it goes at that slot without asking the limit again).
/// </summary>
public readonly record struct DeliveryAttempts(int Count, long FirstAt, long BookedSlot = 0)
{
    /// <summary>No try made yet.</summary>
    public static DeliveryAttempts None => default;
}

/// <summary>Where one recipient of a notification stands after a step: finished (an outcome is recorded), or parked until <see cref="Due"/>.</summary>
public readonly record struct DeliveryStep(bool Finished, long Due, DeliveryAttempts Attempts, string? LastError)
{
    /// <summary>An outcome is recorded; nothing more to do.</summary>
    public static DeliveryStep Done => new(true, 0, default, null);

    /// <summary>Wait until <paramref name="due"/>, then try again.</summary>
    public static DeliveryStep Park(long due, DeliveryAttempts attempts, string? lastError = null) => new(false, due, attempts, lastError);
}
