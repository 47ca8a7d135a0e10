namespace Platform.Cli;

/// <summary>What to consume and how.</summary>
internal sealed record ConsumeOptions(string Topic, int? Partition, string? FromOffset, string? FromTime, string? Group, bool Commit, int Max, bool Follow, Func<string?, bool>? KeyMatches)
{
    /// <summary>True when a key filter drops records (a page then holds records that are not printed).</summary>
    public bool Filtered => KeyMatches is not null;
}
