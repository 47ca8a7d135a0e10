using System.Globalization;

namespace Platform.Core.Storage;

/// <summary>
/// One stored version of a segment: its base offset and generation. Writers create generation 0; compaction writes
/// generation n + 1 beside n and then deletes n. Bytes are read from one generation, never from a mix.
/// </summary>
/// <param name="BaseOffset">The segment's base offset.</param>
/// <param name="Generation">0 as written by the producers; higher once compacted.</param>
public readonly record struct SegmentRef(long BaseOffset, int Generation = 0)
{
    /// <inheritdoc />
    public override string ToString() =>
        Generation == 0 ? BaseOffset.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{BaseOffset} (generation {Generation})");
}
