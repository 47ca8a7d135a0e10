namespace Platform.Core.Log.Reading;

/// <summary>
/// Runs one read per partition with bounded concurrency: a describe or a lag query over a topic of a thousand
/// partitions must not put a thousand storage requests in flight at once from one HTTP call.
/// </summary>
public static class PartitionFanOut
{
    /// <summary>Storage requests in flight at most per call.</summary>
    public const int MaxConcurrency = 16;

    /// <summary>The results of <paramref name="read"/> for partitions 0 to <paramref name="partitions"/> − 1, in partition order.</summary>
    public static async Task<T[]> ForEachAsync<T>(int partitions, Func<int, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        var results = new T[partitions];
        await Parallel.ForEachAsync(Enumerable.Range(0, partitions), new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrency, CancellationToken = cancellationToken }, async (p, ct) =>
            results[p] = await read(p, ct).ConfigureAwait(false)).ConfigureAwait(false);
        return results;
    }
}
