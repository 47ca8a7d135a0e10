namespace Platform.Core.Log.Appending;

/// <summary>Where one produced record landed.</summary>
public readonly record struct RecordPosition(int Partition, long Offset);

/// <summary>The durable positions of a produce call's records, in the order they were given.</summary>
/// <param name="Records">Partition and offset of each record.</param>
/// <param name="Duplicate">True when an idempotent request had been appended before and nothing was appended now.</param>
public sealed record ProduceResult(IReadOnlyList<RecordPosition> Records, bool Duplicate = false);
