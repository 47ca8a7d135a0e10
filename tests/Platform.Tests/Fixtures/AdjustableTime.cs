namespace Platform.Tests.Fixtures;

/// <summary>The system clock plus an offset the test moves forward; timers stay real.</summary>
public sealed class AdjustableTime : TimeProvider
{
    private long _offsetTicks;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));
}
