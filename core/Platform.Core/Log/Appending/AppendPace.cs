namespace Platform.Core.Log.Appending;

/// <summary>
/// How busy storage is, from how long uncontended appends take: their recent average against their floor (what an
/// append costs when storage is not queueing requests). When appends take well above the floor, storage is short of
/// requests, not of bytes, and waiting before the next append lets it carry more records: <see cref="LingerMs"/> is
/// half the excess over twice the floor. Unloaded, the excess and the wait are nothing, so one instance alone keeps
/// its latency; split over several instances, the load makes smaller batches and the wait fills them again.
/// </summary>
internal sealed class AppendPace
{
    private double _average;
    private double _floor = double.MaxValue;

    /// <summary>The wait before the next batch, in milliseconds.</summary>
    public double LingerMs => _floor == double.MaxValue ? 0 : Math.Max(0, (_average - (2 * _floor)) / 2);

    /// <summary>How long uncontended appends take lately, in milliseconds (0 before the first).</summary>
    public double AverageMs => _average;

    /// <summary>An uncontended append took <paramref name="ms"/>.</summary>
    public void Observe(double ms)
    {
        _average = _average == 0 ? ms : (0.8 * _average) + (0.2 * ms);

        // The floor follows a faster append at once and a slower one only slowly, so a sustained slowdown shows against it.
        _floor = ms < _floor ? ms : _floor + ((ms - _floor) * 0.002);
    }
}
