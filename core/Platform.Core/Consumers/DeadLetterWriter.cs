using System.Globalization;
using System.Text;
using Platform.Core.Log;
using Platform.Core.Log.Appending;
using Platform.Core.Log.Topics;

namespace Platform.Core.Consumers;

/// <summary>
/// Sends records that could not be handled to <c>{topic}.dlq</c> (created on first use with the source's partition
/// count and room for its largest record), with the same key, value and headers plus <c>dlq.*</c> headers: error,
/// source topic, partition and offset, and group. A dead letter never jams its partition: the producer splits large
/// calls into batches, and a record that cannot fit even alone with its headers goes without its value (the source
/// offset says where it is), marked <c>dlq.value-omitted</c>.
/// </summary>
public sealed class DeadLetterWriter(TopicManager topics, LogProducer producer)
{
    /// <summary>Longest error text kept in <c>dlq.error</c>.</summary>
    public const int MaxErrorLength = 4000;

    /// <summary>Room the <c>dlq.*</c> headers may take beside a source record.</summary>
    public const int HeaderAllowance = 16 * 1024;

    /// <summary>The dead-letter topic of <paramref name="topic"/>.</summary>
    public static string TopicFor(string topic) => topic + DeadLetterSuffix;

    /// <summary>What names a dead-letter topic.</summary>
    public const string DeadLetterSuffix = ".dlq";

    /// <summary>Appends the failed records durably.</summary>
    public async Task WriteAsync(string group, TopicPartition source, IReadOnlyList<(LogRecord Record, string Error)> failed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(failed);
        if (failed.Count == 0)
        {
            return;
        }

        TopicConfig dlq = await EnsureTopicAsync(source.Topic, cancellationToken).ConfigureAwait(false);
        ProduceRecord[] records = [.. failed.Select(f => Fit(dlq, DeadLetter(group, source, f.Record, f.Error), group, source, f.Record, f.Error))];
        await producer.ProduceAsync(dlq.Name, records, cancellationToken).ConfigureAwait(false);
    }

    private async Task<TopicConfig> EnsureTopicAsync(string sourceTopic, CancellationToken cancellationToken)
    {
        string name = TopicFor(sourceTopic);
        if (await topics.FindAsync(name, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return existing;
        }

        TopicConfig sourceConfig = await topics.GetAsync(sourceTopic, cancellationToken).ConfigureAwait(false);
        try
        {
            return await topics.CreateAsync(new TopicConfig
            {
                Name = name,
                Partitions = sourceConfig.Partitions,
                RetentionMs = -1,
                MaxRecordBytes = Math.Min(TopicConfig.MaxMaxRecordBytes, sourceConfig.MaxRecordBytes + HeaderAllowance),
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (LogException ex) when (ex.Kind == LogErrorKind.TopicAlreadyExists)
        {
            return await topics.GetAsync(name, cancellationToken).ConfigureAwait(false); // created by another instance meanwhile
        }
    }

    private static ProduceRecord DeadLetter(string group, TopicPartition source, LogRecord record, string error) => new()
    {
        Key = record.Key,
        Value = record.Value,
        Timestamp = record.Timestamp,
        Headers = [.. record.Headers, .. PlatformHeaders(group, source, record, error)],
    };

    /// <summary>The <c>dlq.*</c> headers the platform adds: never more than about 4 KB.</summary>
    private static RecordHeader[] PlatformHeaders(string group, TopicPartition source, LogRecord record, string error) =>
    [
        Header("dlq.error", error.Length > MaxErrorLength ? error[..MaxErrorLength] : error),
        Header("dlq.topic", source.Topic),
        Header("dlq.partition", source.Partition.ToString(CultureInfo.InvariantCulture)),
        Header("dlq.offset", record.Offset.ToString(CultureInfo.InvariantCulture)),
        Header("dlq.group", group),
    ];

    /// <summary>
    /// The dead letter as it is; or, when it cannot fit the dead-letter topic, without its value; or, when even that is
    /// too large (the source's own headers), with the platform's headers alone: the source offset says where it is.
    /// </summary>
    private ProduceRecord Fit(TopicConfig dlq, ProduceRecord record, string group, TopicPartition source, LogRecord original, string error)
    {
        if (producer.Fits(dlq, record))
        {
            return record;
        }

        RecordHeader omitted = Header("dlq.value-omitted", "too large for the dead-letter topic; read it at dlq.topic/dlq.partition/dlq.offset");
        ProduceRecord withoutValue = record with { Value = null, Headers = [.. record.Headers, omitted] };
        if (producer.Fits(dlq, withoutValue))
        {
            return withoutValue;
        }

        return new ProduceRecord { Timestamp = record.Timestamp, Headers = [.. PlatformHeaders(group, source, original, error), omitted, Header("dlq.headers-omitted", "true")] };
    }

    private static RecordHeader Header(string key, string value) => new(key, Encoding.UTF8.GetBytes(value));
}
