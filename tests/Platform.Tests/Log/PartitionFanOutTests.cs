using Platform.Core.Log.Reading;

namespace Platform.Tests.Log;

public sealed class PartitionFanOutTests
{
    [Fact]
    public async Task A_read_per_partition_runs_with_bounded_concurrency_and_answers_in_partition_order()
    {
        int inFlight = 0, most = 0;
        int[] results = await PartitionFanOut.ForEachAsync(200, async (p, ct) =>
        {
            int now = Interlocked.Increment(ref inFlight);
            int seen;
            while ((seen = Volatile.Read(ref most)) < now && Interlocked.CompareExchange(ref most, now, seen) != seen)
            {
            }

            await Task.Delay(2, ct);
            Interlocked.Decrement(ref inFlight);
            return p * 10;
        }, default);

        Assert.Equal(Enumerable.Range(0, 200).Select(p => p * 10), results);
        Assert.InRange(most, 1, PartitionFanOut.MaxConcurrency);
    }
}
