using Platform.Core.Log.Appending;

namespace Platform.Tests.Log.Appending;

/// <summary>The storage-saturation linger: nothing while appends cost what they cost unloaded, half the excess when storage queues them.</summary>
public sealed class AppendPaceTests
{
    [Fact]
    public void Unloaded_storage_costs_no_wait()
    {
        var pace = new AppendPace();
        Assert.Equal(0, pace.LingerMs);
        for (int i = 0; i < 50; i++)
        {
            pace.Observe(3 + (i % 3)); // 3 to 5 ms: jitter, not queueing
        }

        Assert.Equal(0, pace.LingerMs);
    }

    [Fact]
    public void Appends_slowed_well_past_their_floor_wait_half_the_excess_and_stop_when_storage_recovers()
    {
        var pace = new AppendPace();
        for (int i = 0; i < 20; i++)
        {
            pace.Observe(2);
        }

        for (int i = 0; i < 30; i++)
        {
            pace.Observe(12); // storage queueing: six times the floor
        }

        Assert.InRange(pace.LingerMs, 3, 4.5); // (12 - 2 x the floor, crept from 2 to ~2.6) / 2

        for (int i = 0; i < 30; i++)
        {
            pace.Observe(2);
        }

        Assert.Equal(0, pace.LingerMs);
    }
}
