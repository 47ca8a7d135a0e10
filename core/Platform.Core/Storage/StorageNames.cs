using System.Globalization;
using Platform.Core.Log;

namespace Platform.Core.Storage;

/// <summary>
/// Every blob name, table key and queue name the platform uses, in one place, invariant and lower-case.
/// </summary>
public static class StorageNames
{
    /// <summary>Blob name prefix of a partition's segments: <c>{topic}/{partition:D5}/</c>.</summary>
    public static string SegmentPrefix(TopicPartition tp) =>
        string.Create(CultureInfo.InvariantCulture, $"{tp.Topic}/{tp.Partition:D5}/");

    /// <summary>Blob name of a segment: <c>{topic}/{partition:D5}/{baseOffset:D20}.seg</c>.</summary>
    public static string Segment(TopicPartition tp, long baseOffset) =>
        string.Create(CultureInfo.InvariantCulture, $"{tp.Topic}/{tp.Partition:D5}/{baseOffset:D20}.seg");

    /// <summary>
    /// Blob name of one generation of a segment: <c>{baseOffset:D20}.seg</c> for generation 0,
    /// <c>{baseOffset:D20}.{generation:D6}.seg</c> for a compacted one.
    /// </summary>
    public static string Segment(TopicPartition tp, SegmentRef segment) => segment.Generation == 0
        ? Segment(tp, segment.BaseOffset)
        : string.Create(CultureInfo.InvariantCulture, $"{tp.Topic}/{tp.Partition:D5}/{segment.BaseOffset:D20}.{segment.Generation:D6}.seg");

    /// <summary>Blob name prefix of every generation of one segment.</summary>
    public static string SegmentGenerationsPrefix(TopicPartition tp, long baseOffset) =>
        string.Create(CultureInfo.InvariantCulture, $"{tp.Topic}/{tp.Partition:D5}/{baseOffset:D20}.");

    /// <summary>Parses the base offset out of a segment blob name (any generation); false for anything else.</summary>
    public static bool TryParseSegmentBaseOffset(string blobName, out long baseOffset)
    {
        bool parsed = TryParseSegment(blobName, out SegmentRef segment);
        baseOffset = segment.BaseOffset;
        return parsed;
    }

    /// <summary>Parses base offset and generation out of a segment blob name; false for anything else.</summary>
    public static bool TryParseSegment(string blobName, out SegmentRef segment)
    {
        segment = new SegmentRef(-1);
        int slash = blobName.LastIndexOf('/');
        ReadOnlySpan<char> file = blobName.AsSpan(slash + 1);
        if (!file.EndsWith(".seg", StringComparison.Ordinal) || file.Length is not (24 or 31)
            || !long.TryParse(file[..20], NumberStyles.None, CultureInfo.InvariantCulture, out long baseOffset))
        {
            return false;
        }

        int generation = 0;
        if (file.Length == 31 && (file[20] != '.' || !int.TryParse(file[21..27], NumberStyles.None, CultureInfo.InvariantCulture, out generation) || generation == 0))
        {
            return false;
        }

        segment = new SegmentRef(baseOffset, generation);
        return true;
    }

    /// <summary>Table PartitionKey of a partition's index entries: <c>{topic}:{partition:D5}</c>.</summary>
    public static string PartitionKey(TopicPartition tp) =>
        string.Create(CultureInfo.InvariantCulture, $"{tp.Topic}:{tp.Partition:D5}");

    /// <summary>
    /// A table key for free text (group names, notification ids, recipients): SHA-256 in hex, since keys may not
    /// hold '/', '\\', '#', '?' or control characters and are at most 1 KiB.
    /// </summary>
    public static string HashedKey(string text) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

    /// <summary>
    /// A record key as part of a table key: its UTF-8 bytes in hex (key order kept, nothing a key may not hold), or
    /// <c>~</c> and its SHA-256 when longer than 200 bytes.
    /// </summary>
    public static string TextKey(string key)
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(key);
        return bytes.Length <= 200 ? Convert.ToHexStringLower(bytes) : "~" + HashedKey(key);
    }

    /// <summary>A 64-bit number as a RowKey that sorts as the number does.</summary>
    public static string OrderedKey(long value) => value.ToString("D20", CultureInfo.InvariantCulture);

    /// <summary>Time index RowKey: append time, then last offset, both ordered.</summary>
    public static string TimeKey(long appendTime, long lastOffset) =>
        string.Create(CultureInfo.InvariantCulture, $"{appendTime:D20}_{lastOffset:D20}");

    /// <summary>Default container of segment blobs.</summary>
    public const string DefaultLogContainer = "log";

    /// <summary>Table of topic metadata (suffix after the configured prefix).</summary>
    public const string TopicsTable = "topics";

    /// <summary>Table of the offset index.</summary>
    public const string OffsetIndexTable = "offsetindex";

    /// <summary>Table of the keyed view of compacted topics (latest value per key, and how far each partition is read).</summary>
    public const string KeyedViewTable = "keyedview";

    /// <summary>Table of stream job definitions.</summary>
    public const string StreamJobsTable = "streamjobs";

    /// <summary>Table of stream tasks' positions and open windows (PartitionKey: job, input topic and partition).</summary>
    public const string StreamStateTable = "streamstate";

    /// <summary>Table of stream jobs' window results (PartitionKey: the job).</summary>
    public const string StreamResultsTable = "streamresults";

    /// <summary>Table of the time index.</summary>
    public const string TimeIndexTable = "timeindex";

    /// <summary>Table of consumer groups' committed offsets (and jobs' results beside them).</summary>
    public const string ConsumerGroupsTable = "consumergroups";

    /// <summary>Table of partition claims and group members.</summary>
    public const string OwnershipTable = "ownership";

    /// <summary>Table of the metrics series index and metric metadata.</summary>
    public const string MetricSeriesTable = "metricseries";

    /// <summary>Table of metric sample chunks (one row per series and hour).</summary>
    public const string MetricChunksTable = "metricchunks";

    /// <summary>Table of running totals of delta metrics.</summary>
    public const string MetricStateTable = "metricstate";

    /// <summary>Table of alerting rule groups and their alert state.</summary>
    public const string AlertingTable = "alerting";

    /// <summary>Table of the built-in alert router's configuration, groups and silences.</summary>
    public const string RouterTable = "router";

    /// <summary>Table of notification templates and the delivery log.</summary>
    public const string NotificationsTable = "notifications";

    /// <summary>Table of parked notifications and digests.</summary>
    public const string NotificationScheduleTable = "notificationschedule";

    /// <summary>Table of per-recipient rate limiter state.</summary>
    public const string NotificationRatesTable = "notificationrates";

    /// <summary>Table of API keys.</summary>
    public const string ApiKeysTable = "apikeys";

    /// <summary>PartitionKey under which topic metadata entities live.</summary>
    public const string TopicsPartitionKey = "topic";

    /// <summary>RowKey of a group's committed offset on a partition.</summary>
    public static string CheckpointRowKey(TopicPartition partition) =>
        string.Create(CultureInfo.InvariantCulture, $"o:{partition.Topic}:{partition.Partition:D5}");

    /// <summary>The partition a <see cref="CheckpointRowKey"/> names.</summary>
    public static TopicPartition ParseCheckpointRowKey(string rowKey)
    {
        ArgumentNullException.ThrowIfNull(rowKey);
        int last = rowKey.LastIndexOf(':');
        return new TopicPartition(rowKey[2..last], int.Parse(rowKey.AsSpan(last + 1), NumberStyles.None, CultureInfo.InvariantCulture));
    }

    /// <summary>Refuses a job's result key that would collide with offsets or that table keys cannot hold.</summary>
    public static void CheckResultKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (key.StartsWith("o:", StringComparison.Ordinal) || key.Length > 512 || key.AsSpan().IndexOfAny("/\\#?") >= 0 || key.Any(char.IsControl))
        {
            throw new ArgumentException($"Result key '{key}' is not allowed: it must not start with 'o:', be longer than 512 characters or hold '/', '\\', '#', '?' or control characters.", nameof(key));
        }
    }
}
