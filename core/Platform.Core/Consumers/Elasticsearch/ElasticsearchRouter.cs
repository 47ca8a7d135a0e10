using System.Globalization;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Resource.V1;
using Platform.Core.Log;
using Platform.Core.Log.Appending;

namespace Platform.Core.Consumers.Elasticsearch;

/// <summary>
/// Routes OTLP logs to Elasticsearch: each log record becomes an ECS document, bulk-created (never indexed)
/// in <c>logs-{dataset}-{namespace}</c> with an id made of topic, partition, offset and position, so a
/// redelivered batch never duplicates a document. Items refused with 429/5xx are retried with back-off;
/// other refusals fail their source record, which the runtime dead-letters with Elasticsearch's reason.
/// Routing rules send matching records to another index and/or another topic.
/// </summary>
public sealed partial class ElasticsearchRouter(IBulkIndexer indexer, LogProducer producer, IOptions<ElasticsearchOptions> options, TimeProvider time, ILogger<ElasticsearchRouter> logger) : IConsumerHandler
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<RecordFailure>> HandleAsync(ConsumerBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ElasticsearchOptions o = options.Value;
        var failures = new Dictionary<long, RecordFailure>();
        var documents = new List<BulkDocument>();
        var sourceOf = new Dictionary<string, long>(StringComparer.Ordinal);
        var routed = new Dictionary<string, List<ProduceRecord>>(StringComparer.Ordinal);
        foreach (Log.LogRecord record in batch.Records)
        {
            ExportLogsServiceRequest export;
            try
            {
                export = ExportLogsServiceRequest.Parser.ParseFrom(record.Value?.ToArray() ?? []);
            }
            catch (InvalidProtocolBufferException ex)
            {
                failures[record.Offset] = new RecordFailure(record.Offset, $"Not an OTLP logs export: {ex.Message}", Retriable: false);
                continue;
            }

            // A record that cannot become documents (an attribute of the wrong type, a kvlist with duplicate keys) is
            // dead-lettered with the reason: never a reason to stop the partition.
            var mine = new List<BulkDocument>();
            var myRoutes = new List<(string Topic, ProduceRecord Record)>();
            try
            {
                int position = 0;
                foreach (ResourceLogs rl in export.ResourceLogs)
                {
                    foreach (ScopeLogs sl in rl.ScopeLogs)
                    {
                        foreach (OpenTelemetry.Proto.Logs.V1.LogRecord log in sl.LogRecords)
                        {
                            (System.Text.Json.Nodes.JsonObject doc, string dataset) = EcsDocument.Map(rl.Resource, sl.Scope, log, o.Namespace, o.DefaultDataset);
                            ElasticsearchRoute? route = o.Routes.FirstOrDefault(r => Matches(r, rl.Resource, log));
                            string id = string.Create(CultureInfo.InvariantCulture, $"{batch.Partition.Topic}-{batch.Partition.Partition}-{record.Offset}-{position++}");
                            mine.Add(new BulkDocument(route?.Index ?? $"logs-{dataset}-{o.Namespace}", id, doc));
                            if (route?.Topic is { } topic)
                            {
                                var single = new ExportLogsServiceRequest { ResourceLogs = { new ResourceLogs { Resource = rl.Resource, SchemaUrl = rl.SchemaUrl, ScopeLogs = { new ScopeLogs { Scope = sl.Scope, LogRecords = { log } } } } } };
                                myRoutes.Add((topic, new ProduceRecord { Key = record.Key, Value = single.ToByteArray(), Headers = record.Headers }));
                            }
                        }
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failures[record.Offset] = new RecordFailure(record.Offset, $"Cannot become an ECS document: {ex.Message}", Retriable: false);
                continue;
            }

            foreach (BulkDocument document in mine)
            {
                documents.Add(document);
                sourceOf[document.Id] = record.Offset;
            }

            foreach ((string topic, ProduceRecord routedRecord) in myRoutes)
            {
                if (!routed.TryGetValue(topic, out List<ProduceRecord>? list))
                {
                    routed[topic] = list = [];
                }

                list.Add(routedRecord);
            }
        }

        // Topic routes first: durable before the offset can be committed (a redelivery re-sends them: at-least-once).
        foreach ((string topic, List<ProduceRecord> records) in routed)
        {
            await producer.ProduceAsync(topic, records, cancellationToken).ConfigureAwait(false);
        }

        List<BulkDocument> pending = documents;
        for (int attempt = 1; pending.Count > 0; attempt++)
        {
            IReadOnlyList<BulkItemResult> results = await indexer.CreateAsync(pending, cancellationToken).ConfigureAwait(false);
            var retry = new List<BulkDocument>();
            for (int i = 0; i < pending.Count; i++)
            {
                BulkItemResult result = results[i];
                if (result.Done)
                {
                    continue;
                }

                long offset = sourceOf[pending[i].Id];
                string reason = $"Elasticsearch refused {pending[i].Index}/{pending[i].Id}: {result.Status} {result.ErrorType}: {result.ErrorReason}";
                if (!result.Retriable)
                {
                    failures[offset] = new RecordFailure(offset, reason, Retriable: false);
                }
                else if (attempt >= o.ItemAttempts)
                {
                    failures.TryAdd(offset, new RecordFailure(offset, reason, Retriable: true));
                }
                else
                {
                    retry.Add(pending[i]);
                }
            }

            pending = retry;
            if (pending.Count > 0)
            {
                LogItemsRetried(logger, pending.Count, batch.Partition.Topic, batch.Partition.Partition, attempt);
                await Task.Delay(o.ItemBackoff * (1 << Math.Min(attempt - 1, 6)), time, cancellationToken).ConfigureAwait(false);
            }
        }

        return [.. failures.Values];
    }

    private static bool Matches(ElasticsearchRoute route, Resource? resource, OpenTelemetry.Proto.Logs.V1.LogRecord log)
    {
        static string? Find(IEnumerable<KeyValue> attributes, string key) =>
            attributes.FirstOrDefault(a => a.Key == key)?.Value is { ValueCase: AnyValue.ValueOneofCase.StringValue } v ? v.StringValue : null;
        string? value = Find(log.Attributes, route.Attribute) ?? (resource is null ? null : Find(resource.Attributes, route.Attribute));
        return value is not null && string.Equals(value, route.Value, StringComparison.Ordinal);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Elasticsearch asked to retry {Count} items of {Topic}/{Partition} (attempt {Attempt})")]
    private static partial void LogItemsRetried(ILogger logger, int count, string topic, int partition, int attempt);
}
