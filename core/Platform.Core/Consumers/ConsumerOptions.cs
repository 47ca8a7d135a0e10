namespace Platform.Core.Consumers;

/// <summary>Where a new group starts reading (Kafka's auto.offset.reset).</summary>
public enum OffsetReset
{
    /// <summary>From the earliest kept offset.</summary>
    Earliest,

    /// <summary>From the end: only new records.</summary>
    Latest,
}

/// <summary>Knobs of the consumer runtime, bound from <c>Platform:Consumers</c>.</summary>
public sealed class ConsumerOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Platform:Consumers";

    /// <summary>How long a partition claim lasts unless renewed; a dead instance's partitions move after this. Default 30 s.</summary>
    public TimeSpan ClaimDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Bytes per fetch. Default 1 MiB.</summary>
    public int FetchMaxBytes { get; set; } = 1024 * 1024;

    /// <summary>Records per fetch. Default 500.</summary>
    public int FetchMaxRecords { get; set; } = 500;

    /// <summary>Attempts per record before it is dead-lettered. Default 3.</summary>
    public int HandlerAttempts { get; set; } = 3;

    /// <summary>First retry delay, doubled each attempt. Default 200 ms.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Storage queue of wake-up messages (also the queue trigger's <c>%Platform:Consumers:WakeupQueue%</c>). Default <c>platform-wakeups</c>.</summary>
    public string WakeupQueue { get; set; } = "platform-wakeups";

    /// <summary>
    /// CRON schedule (six fields, with seconds) of the sweep that runs every job as the fallback for lost wake-ups
    /// (also the timer trigger's <c>%Platform:Consumers:SweepSchedule%</c>). Default every 5 minutes: wake-ups carry
    /// the latency; a sweep every few seconds would keep an idle deployment from ever scaling to zero (and bill it).
    /// </summary>
    public string SweepSchedule { get; set; } = "0 */5 * * * *";

    /// <summary>Whether appends send wake-ups; without them the timer sweep alone delivers (slower). Default true.</summary>
    public bool Wakeups { get; set; } = true;

    /// <summary>How long a partition's wake-up waits so that a burst of appends sends one message. Default 50 ms.</summary>
    public TimeSpan WakeupDebounce { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How long one run may keep reading before it returns (a function invocation's budget). Default 4 min.</summary>
    public TimeSpan MaxRunTime { get; set; } = TimeSpan.FromMinutes(4);
}
