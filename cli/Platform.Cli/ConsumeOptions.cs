namespace Platform.Cli;

/// <summary>What to consume and how.</summary>
internal sealed record ConsumeOptions(string Topic, int? Partition, string? FromOffset, string? FromTime, string? Group, bool Commit, int Max, bool Follow, Func<string?, bool> KeyMatches, bool Filtered);
