namespace Platform.Core.Streams;

/// <summary>Options of the stream job runner (<c>Platform:Streams</c>).</summary>
public sealed class StreamOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Platform:Streams";

    /// <summary>How often the <c>RunStreamJobs</c> timer runs every job (CRON with seconds): the latency of a job's results.</summary>
    public string Schedule { get; set; } = "*/5 * * * * *";

    /// <summary>Most records one fetch hands a task.</summary>
    public int FetchMaxRecords { get; set; } = 2_000;

    /// <summary>Most bytes one fetch reads.</summary>
    public int FetchMaxBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>How long one run keeps reading a partition before it lets the next run go on.</summary>
    public TimeSpan MaxRunTime { get; set; } = TimeSpan.FromMinutes(4);

    /// <summary>Folder of job definitions (<c>*.yaml</c>, <c>*.yml</c>, <c>*.json</c>, named after their job) stored at start; empty for none.</summary>
    public string? Directory { get; set; }
}
