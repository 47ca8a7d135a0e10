namespace Platform.Core.Log.Appending;

/// <summary>Where one produced record landed.</summary>
public readonly record struct RecordPosition(int Partition, long Offset);

/// <summary>The durable positions of a produce call's records, in the order they were given.</summary>
public sealed record ProduceResult(IReadOnlyList<RecordPosition> Records);
