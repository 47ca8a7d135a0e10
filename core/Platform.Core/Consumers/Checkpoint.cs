namespace Platform.Core.Consumers;

/// <summary>A committed offset and the version it was read with (the next conditional commit names it).</summary>
/// <param name="Offset">The next offset to read.</param>
/// <param name="Version">The store's version of the checkpoint (an ETag in Azure); never empty.</param>
public sealed record Checkpoint(long Offset, string Version);

/// <summary>A job's result row, committed in one transaction with the group's offset (exactly-once results).</summary>
/// <param name="Key">The row's key within the group; must not start with <c>o:</c> (offsets live there).</param>
/// <param name="Values">Its properties: strings, numbers, booleans, dates, byte arrays.</param>
public sealed record GroupResult(string Key, IReadOnlyDictionary<string, object?> Values);
