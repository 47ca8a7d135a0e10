namespace Platform.Core.Log.Appending;

/// <summary>
/// Group commit for callers that wait for their answer before they send again (HTTP clients, the OpenTelemetry
/// exporters): the calls answered by one append come back within a round trip, so the next batch waits for as many
/// calls as were waiting when that append completed, for at most as long as that append took (waiting less than an
/// append costs is cheaper than appending twice). Without it, batches alternate between the calls that arrived during
/// an append and the rest, each at half the size, and every record costs twice the storage requests.
/// On a partition other instances append to as well it waits for nothing: there, every wait hands the partition to
/// another instance, whose append makes this one's next append lose its race (a failed append and a tail read), and
/// the contended linger already sets the pace.
/// </summary>
internal sealed class CallerTurnout(double maxWaitMs)
{
    private int _expected = 1;
    private double _appendMs;

    /// <summary>Calls the next batch waits for.</summary>
    public int ExpectedCalls => _expected;

    /// <summary>Longest the next batch waits for them, in milliseconds.</summary>
    public double MaxWaitMs => Math.Min(maxWaitMs, _appendMs);

    /// <summary>An append of <paramref name="batchCalls"/> calls completed with <paramref name="queuedCalls"/> queued meanwhile.</summary>
    public void Completed(int batchCalls, int queuedCalls, double appendMs, bool contended)
    {
        _expected = Math.Max(1, batchCalls + queuedCalls);
        _appendMs = contended ? 0 : appendMs;
    }

    /// <summary>An append failed: nothing is known about who comes back.</summary>
    public void Failed()
    {
        _expected = 1;
        _appendMs = 0;
    }
}
