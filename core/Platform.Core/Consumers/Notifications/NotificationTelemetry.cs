using System.Diagnostics.Metrics;

namespace Platform.Core.Consumers.Notifications;

/// <summary>The notification job's own OpenTelemetry metrics (meter <c>Platform.Notifications</c>).</summary>
public sealed class NotificationTelemetry : IDisposable
{
    /// <summary>Meter name, for <c>AddMeter</c>.</summary>
    public const string MeterName = "Platform.Notifications";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _outcomes;
    private readonly Counter<long> _dispatched;

    /// <summary>Creates the instruments.</summary>
    public NotificationTelemetry()
    {
        _outcomes = _meter.CreateCounter<long>("platform.notifications.outcomes", "{recipient}",
            "Outcomes recorded for recipients of notifications, by channel and state (sent, retrying, failed, expired, suppressed, merged, scheduled, delayed, rejected).");
        _dispatched = _meter.CreateCounter<long>("platform.notifications.dispatched", "{item}", "Parked notifications and digests taken up when due.");
    }

    /// <summary>Counts an outcome.</summary>
    public void Outcome(string channel, string state) => _outcomes.Add(1, new KeyValuePair<string, object?>("channel", channel), new KeyValuePair<string, object?>("state", state));

    /// <summary>Counts items taken up by the dispatcher.</summary>
    public void Dispatched(int items) => _dispatched.Add(items);

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
