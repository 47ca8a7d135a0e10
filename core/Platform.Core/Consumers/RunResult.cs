namespace Platform.Core.Consumers;

/// <summary>What one run of a consumer did.</summary>
/// <param name="Partitions">The partitions this instance held during the run.</param>
/// <param name="Handled">Records handled successfully.</param>
/// <param name="DeadLettered">Records sent to the dead-letter topic.</param>
public sealed record RunResult(IReadOnlyList<int> Partitions, int Handled, int DeadLettered);
