using System.Globalization;
using System.Text;
using Platform.Core.Log;
using Platform.Core.Log.Appending;
using Platform.Core.Log.Topics;

namespace Platform.Core.Consumers;

/// <summary>
/// Sends records that could not be handled to <c>{topic}.dlq</c> (created on first use with the source's
/// partition count), with the same key, value and headers plus <c>dlq.*</c> headers: error, source topic,
/// partition and offset, and group.
/// </summary>
public sealed class DeadLetterWriter(TopicManager topics, LogProducer producer)
{
    /// <summary>The dead-letter topic of <paramref name="topic"/>.</summary>
    public static string TopicFor(string topic) => topic + ".dlq";

    /// <summary>Appends the failed records durably.</summary>
    public async Task WriteAsync(string group, TopicPartition source, IReadOnlyList<(LogRecord Record, string Error)> failed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(failed);
        if (failed.Count == 0)
        {
            return;
        }

        string dlq = TopicFor(source.Topic);
        if (await topics.FindAsync(dlq, cancellationToken).ConfigureAwait(false) is null)
        {
            TopicConfig sourceConfig = await topics.GetAsync(source.Topic, cancellationToken).ConfigureAwait(false);
            try
            {
                await topics.CreateAsync(new TopicConfig { Name = dlq, Partitions = sourceConfig.Partitions, RetentionMs = -1 }, cancellationToken).ConfigureAwait(false);
            }
            catch (LogException ex) when (ex.Kind == LogErrorKind.TopicAlreadyExists)
            {
                // Created by another instance meanwhile.
            }
        }

        ProduceRecord[] records = [.. failed.Select(f => new ProduceRecord
        {
            Key = f.Record.Key,
            Value = f.Record.Value,
            Timestamp = f.Record.Timestamp,
            Headers =
            [
                .. f.Record.Headers,
                Header("dlq.error", f.Error.Length > 4000 ? f.Error[..4000] : f.Error),
                Header("dlq.topic", source.Topic),
                Header("dlq.partition", source.Partition.ToString(CultureInfo.InvariantCulture)),
                Header("dlq.offset", f.Record.Offset.ToString(CultureInfo.InvariantCulture)),
                Header("dlq.group", group),
            ],
        })];
        await producer.ProduceAsync(dlq, records, cancellationToken).ConfigureAwait(false);
    }

    private static RecordHeader Header(string key, string value) => new(key, Encoding.UTF8.GetBytes(value));
}
