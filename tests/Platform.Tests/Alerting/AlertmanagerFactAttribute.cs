using Platform.Benchmarks.Peers;

namespace Platform.Tests.Alerting;

/// <summary>A test that needs the real Alertmanager; skipped, saying why, only when it is not installed.</summary>
public sealed class AlertmanagerFactAttribute : FactAttribute
{
    public AlertmanagerFactAttribute()
    {
        if (AlertmanagerServer.Missing is { } why) Skip = why;
    }
}
