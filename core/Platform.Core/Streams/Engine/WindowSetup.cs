namespace Platform.Core.Streams.Engine;

/// <summary>How a window step is set up.</summary>
/// <param name="Kind">Tumbling, hopping or session.</param>
/// <param name="Aggregations">The result fields.</param>
/// <param name="EventTime">The event time of a record (Unix ms), or null when it has none.</param>
/// <param name="GraceMs">How long after its end a window still takes records.</param>
/// <param name="LateTopic">Where later records go; null drops them (counted).</param>
/// <param name="EmitUpdates">Also hand on a window's current value after each sub-batch that changed it.</param>
/// <param name="KeepResults">Keep final results in the job's results table.</param>
public sealed record WindowSetup(WindowKind Kind, IReadOnlyList<Aggregation> Aggregations, Func<StreamRecord, long?> EventTime, long GraceMs, string? LateTopic, bool EmitUpdates, bool KeepResults);
