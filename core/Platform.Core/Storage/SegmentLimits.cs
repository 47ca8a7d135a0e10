using System.Globalization;

namespace Platform.Core.Storage;

/// <summary>
/// When a segment is sealed: a property of the segment itself, written when it is created, so that every writer
/// agrees whatever its own options say. Writers with different settings during a rolling change would otherwise
/// disagree on where a segment ends and fork the partition.
/// </summary>
/// <param name="SealBytes">Sealed once at least this long.</param>
/// <param name="SealBlocks">Sealed once it has this many blocks.</param>
public readonly record struct SegmentLimits(long SealBytes, int SealBlocks)
{
    /// <summary>The rule of segments created before limits were stored with them: the defaults of that time, never a writer's options.</summary>
    public static SegmentLimits Legacy { get; } = new(1L << 30, 49_000);

    /// <summary>The rule of a compacted generation: sealed from the start (it is written whole and never appended to).</summary>
    public static SegmentLimits Rewritten { get; } = new(0, 0);

    /// <summary>The largest block the service accepts in every version, so the max-size condition is the same for every writer.</summary>
    public const int MaxBlockBytes = 4 * 1024 * 1024;

    /// <summary>The max-size condition every append carries: the seal threshold plus one block.</summary>
    public long HardLimitBytes => SealBytes + MaxBlockBytes;

    /// <summary>True when a segment of this length and block count takes no more appends.</summary>
    public bool IsSealed(long length, int blocks) => length >= SealBytes || blocks >= SealBlocks;

    /// <summary>Blob metadata names (lower case: metadata names are C# identifiers and case-insensitive).</summary>
    internal const string SealBytesKey = "sealbytes";

    /// <summary>Blob metadata name of <see cref="SealBlocks"/>.</summary>
    internal const string SealBlocksKey = "sealblocks";

    /// <summary>As blob metadata.</summary>
    internal Dictionary<string, string> ToMetadata() => new(StringComparer.OrdinalIgnoreCase)
    {
        [SealBytesKey] = SealBytes.ToString(CultureInfo.InvariantCulture),
        [SealBlocksKey] = SealBlocks.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>From blob metadata; <see cref="Legacy"/> when the segment predates stored limits.</summary>
    internal static SegmentLimits FromMetadata(IDictionary<string, string> metadata) =>
        metadata.TryGetValue(SealBytesKey, out string? bytes) && metadata.TryGetValue(SealBlocksKey, out string? blocks)
        && long.TryParse(bytes, NumberStyles.None, CultureInfo.InvariantCulture, out long b)
        && int.TryParse(blocks, NumberStyles.None, CultureInfo.InvariantCulture, out int k)
            ? new SegmentLimits(b, k)
            : Legacy;
}
