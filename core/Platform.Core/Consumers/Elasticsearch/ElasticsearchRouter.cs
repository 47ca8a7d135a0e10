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
/// other refusals fail their source record, which the runtime dead-letters with Elasticsearch's reason. A call refused
/// as a whole (400, 413) is bisected to the documents at fault; refused credentials (401, 403) pause the partition.
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
                            (System.Text.Json.Nodes.JsonObject doc, string dataset) = EcsDocument.Map(rl.Resource, sl.Scope, log, o.Namespace, o.DefaultDataset, o.DatasetFromAttributes);
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
            IReadOnlyList<BulkItemResult> results = await CreateBisectingAsync(pending, cancellationToken).ConfigureAwait(false);
            var retry = new List<BulkDocument>();
            for (int i = 0; i < pending.Count; i++)
            {
                BulkItemResult result = results[i];
                if (result.Done)
                {
                    continue;
                }

                long offset = sourceOf[pending[i].Id];
                if (result.RefusedCredentials)
                {
                    // Not the record's fault: nothing is dead-lettered; the partition waits until the key is fixed.
                    string credentials = $"Elasticsearch refused the router's credentials ({result.Status} {result.ErrorType}: {result.ErrorReason}); check {ElasticsearchOptions.SectionName}:ApiKey and its privileges on {pending[i].Index}";
                    LogCredentialsRefused(logger, batch.Partition.Topic, batch.Partition.Partition, credentials);
                    foreach (BulkDocument unsettled in retry.Concat(pending.Skip(i)))
                    {
                        failures.TryAdd(sourceOf[unsettled.Id], new RecordFailure(sourceOf[unsettled.Id], credentials, Retriable: true));
                    }

                    return [.. failures.Values];
                }

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

    /// <summary>
    /// One _bulk call; when Elasticsearch refuses the whole call as malformed (400) or too large (413), the documents are
    /// halved and sent again until the one(s) at fault stand alone and are refused on their own: one bad document never
    /// holds back the others, and a large batch is indexed in pieces that fit.
    /// </summary>
    private async Task<IReadOnlyList<BulkItemResult>> CreateBisectingAsync(List<BulkDocument> documents, CancellationToken cancellationToken)
    {
        IReadOnlyList<BulkItemResult> results = await indexer.CreateAsync(documents, cancellationToken).ConfigureAwait(false);
        if (documents.Count < 2 || results.Count == 0 || results[0] is not { WholeCall: true, Status: 400 or 413 })
        {
            return results;
        }

        int half = documents.Count / 2;
        IReadOnlyList<BulkItemResult> first = await CreateBisectingAsync([.. documents.Take(half)], cancellationToken).ConfigureAwait(false);
        IReadOnlyList<BulkItemResult> second = await CreateBisectingAsync([.. documents.Skip(half)], cancellationToken).ConfigureAwait(false);
        List<BulkItemResult> all = [.. first, .. second];

        // Every document refused alone with the same whole-call 400: the request is at fault, not the documents (a
        // setting, a proxy): retriable, so the partition waits for a fix instead of dead-lettering everything.
        return all.TrueForAll(r => r is { WholeCall: true, Status: 400 })
            ? [.. all.Select(r => r with { Status = 503, ErrorReason = $"every document alone was refused with 400 ({r.ErrorReason}): the request, not a document, is at fault" })]
            : all;
    }

    private static bool Matches(ElasticsearchRoute route, Resource? resource, OpenTelemetry.Proto.Logs.V1.LogRecord log)
    {
        static string? Find(IEnumerable<KeyValue> attributes, string key) =>
            attributes.FirstOrDefault(a => a.Key == key)?.Value is { ValueCase: AnyValue.ValueOneofCase.StringValue } v ? v.StringValue : null;
        string? value = Find(log.Attributes, route.Attribute) ?? (resource is null ? null : Find(resource.Attributes, route.Attribute));
        return value is not null && string.Equals(value, route.Value, StringComparison.Ordinal);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Routing {Topic}/{Partition} waits: {Reason}")]
    private static partial void LogCredentialsRefused(ILogger logger, string topic, int partition, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Elasticsearch asked to retry {Count} items of {Topic}/{Partition} (attempt {Attempt})")]
    private static partial void LogItemsRetried(ILogger logger, int count, string topic, int partition, int attempt);
}
