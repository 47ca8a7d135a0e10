namespace Platform.Core.Options;

/// <summary>Knobs of the log engine, bound from <c>Platform:Log</c>.</summary>
public sealed class LogOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Platform:Log";

    /// <summary>
    /// How often retention runs (an NCRONTAB with seconds; the <c>EnforceRetention</c> timer's
    /// <c>%Platform:Log:RetentionSchedule%</c>). Default every 5 minutes, as Kafka's log.retention.check.interval.ms.
    /// </summary>
    public string RetentionSchedule { get; set; } = "0 */5 * * * *";

    /// <summary>
    /// How often compaction looks at compacted topics (the <c>CompactTopics</c> timer's
    /// <c>%Platform:Log:CompactionSchedule%</c>). Default every minute; a partition is compacted only when its dirty
    /// ratio or MaxCompactionLagMs says so.
    /// </summary>
    public string CompactionSchedule { get; set; } = "30 * * * * *";

    /// <summary>
    /// How often the keyed view of compacted topics catches up with their logs (the <c>MaintainKeyedViews</c> timer's
    /// <c>%Platform:Log:KeyedViewSchedule%</c>). Default every 5 seconds.
    /// </summary>
    public string KeyedViewSchedule { get; set; } = "*/5 * * * * *";

    /// <summary>Most keys one compaction pass maps (Kafka's dedupe buffer): about 40 bytes each; the rest waits for the next pass.</summary>
    public int CompactionMaxKeys { get; set; } = 4_000_000;

    /// <summary>
    /// How long a deleted topic's data stays before the retention timer removes it (and the name can be used again):
    /// longer than other instances cache the topic (30 s), its segment list (30 s) and read positions (60 s), plus an append's time-out; at least 90 s.
    /// </summary>
    public TimeSpan TopicDeleteGrace { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long a compactor holds its claim on a partition; another instance may take over after.</summary>
    public TimeSpan CompactionClaim { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The service's limit of committed blocks per append blob.</summary>
    public const int ServiceMaxBlocks = 50_000;

    /// <summary>The service's largest append blob: 50,000 blocks of 4 MiB.</summary>
    public const long ServiceMaxBlobBytes = ServiceMaxBlocks * 4L * 1024 * 1024;

    /// <summary>A segment is sealed (no more appends) once it is at least this long. Default 1 GiB, as Kafka's segment.bytes.</summary>
    public long SegmentBytes { get; set; } = 1L << 30;

    /// <summary>A segment is sealed once it has this many blocks. Default 49,000, under the service's 50,000.</summary>
    public int SegmentMaxBlocks { get; set; } = 49_000;

    /// <summary>Largest batch (one append block). Default and maximum 4 MiB, the block limit of every service version.</summary>
    public int MaxBatchBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Most records in one batch. Default 10,000.</summary>
    public int MaxBatchRecords { get; set; } = 10_000;

    /// <summary>
    /// How long an appender waits for more produce calls to join a batch. Default 0: calls that arrive
    /// while an append is in flight already form the next batch (measured in bench/: a linger only added latency).
    /// </summary>
    public TimeSpan Linger { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Longest linger an appender takes on a partition other instances append to as well. A lost race (another writer
    /// appended first) doubles the appender's linger on that partition, from 1 ms up to this, and uncontended appends
    /// shrink it again; each wait is jittered. So instances sharing a partition take turns with batches that carry more
    /// records, instead of racing with small ones that multiply failed appends and tail reads. Elsewhere it caps the
    /// storage-saturation linger (see <c>AppendPace</c>): when appends take well above what they cost unloaded, the
    /// appender waits half the excess so each append carries more records. It also caps the group-commit wait for
    /// callers that send again once answered (see <c>CallerTurnout</c>): the next batch waits, at most as long as the
    /// last append took, for as many calls as were waiting then. Default 20 ms; 0 turns all three off.
    /// </summary>
    public TimeSpan ContendedLingerMax { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Whether instances share out the partitions of the topics they write (writer leases, balanced like a consumer
    /// group's), so that records whose partition the platform chooses (keyless, OTLP) go to partitions no other instance
    /// appends to. Default true.
    /// </summary>
    public bool WriterLeases { get; set; } = true;

    /// <summary>How long a writer lease lasts without renewal (renewed at a third of it). Default 15 s.</summary>
    public TimeSpan WriterLeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Bytes that may wait in one partition's appender before produce calls are refused as busy. Default 64 MiB.</summary>
    public long MaxPendingBytesPerPartition { get; set; } = 64L * 1024 * 1024;

    /// <summary>Attempts of one append (lost races, ambiguous failures) before it fails. Default 50.</summary>
    public int MaxAppendAttempts { get; set; } = 50;

    /// <summary>Deadline of one append, all attempts and storage calls included; an unanswered call is abandoned. Default 30 s.</summary>
    public TimeSpan AppendTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How much of a partition's tail a writer reads to rebuild producer state on start. Default 8 MiB.</summary>
    public int ProducerStateScanBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>
    /// An idempotent producer (an Idempotency-Key among them) is forgotten once its last batch is this much older than
    /// the partition's newest (Kafka's producer.id.expiration.ms); a retry after that is appended again. Default 1 day.
    /// </summary>
    public TimeSpan ProducerIdExpiration { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Most idempotent producers a partition's writer tracks; beyond it the least recently appended are forgotten. Default 50,000.</summary>
    public int MaxProducersPerPartition { get; set; } = 50_000;

    /// <summary>Bytes of batches one index entry covers at least (Kafka's index.interval.bytes). Default 64 KiB; 0 indexes every batch.</summary>
    public int IndexIntervalBytes { get; set; } = 64 * 1024;

    /// <summary>An idle partition's last, partly filled index entry is written after this long. Default 1 s.</summary>
    public TimeSpan IndexFlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a partition's completed index entries wait to be written together, in one table transaction per
    /// partition (and one for the time index). They go sooner once they cover 1 MiB of batches or
    /// <see cref="IndexBatchSize"/> of them wait, and at once on a partition other instances append to as well.
    /// Default 250 ms; 0 writes each as it completes. Readers never depend on it: an offset past the last entry is found
    /// from the segment's end.
    /// </summary>
    public TimeSpan IndexWriteDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Index entries of a partition written without waiting for <see cref="IndexWriteDelay"/> once this many wait (a table transaction holds up to 100). Default 100.</summary>
    public int IndexBatchSize { get; set; } = 100;

    /// <summary>Most long-poll fetches (waitMs) waiting at once on this instance; beyond it a fetch is refused (429). Default 1,000.</summary>
    public int MaxWaitingFetches { get; set; } = 1000;

    /// <summary>How often a partition that long-polls wait on is looked at in storage (one look, however many wait). Default 200 ms.</summary>
    public TimeSpan WaitCheckInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The max-size condition on appends to segments this writer creates: the seal threshold plus one block.</summary>
    public long SegmentHardLimitBytes => SegmentBytes + Storage.SegmentLimits.MaxBlockBytes;

    /// <summary>The seal rule written into the segments this writer creates.</summary>
    public Storage.SegmentLimits NewSegmentLimits => new(SegmentBytes, SegmentMaxBlocks);
}
