namespace Platform.Core.Metrics.Chunks;

/// <summary>Samples are stored in blocks of one hour: one chunk per series and block.</summary>
public static class TimeBlocks
{
    /// <summary>Length of a block, ms.</summary>
    public const long Length = 3_600_000;

    /// <summary>The start of the block holding <paramref name="t"/>.</summary>
    public static long Start(long t) => t - (((t % Length) + Length) % Length);

    /// <summary>Block starts from the one holding <paramref name="minT"/> to the one holding <paramref name="maxT"/>.</summary>
    public static IEnumerable<long> Between(long minT, long maxT)
    {
        for (var block = Start(minT); block <= maxT; block += Length) yield return block;
    }
}
