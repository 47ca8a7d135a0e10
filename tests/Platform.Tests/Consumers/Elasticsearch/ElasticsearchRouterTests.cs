using System.Text;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Resource.V1;
using Platform.Core.Consumers;
using Platform.Core.Consumers.Elasticsearch;
using Platform.Core.Log.Topics;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Consumers.Elasticsearch;

/// <summary>The router against a server that speaks the _bulk protocol, through the real client and the real runtime.</summary>
/// <summary>The router against a _bulk-faithful server, in process on the in-memory stores (the end-to-end tests run it on Azurite).</summary>
public sealed class ElasticsearchRouterTests
{
    private static byte[] Export(string service, params (string Body, string? Category)[] logs) => new ExportLogsServiceRequest
    {
        ResourceLogs =
        {
            new ResourceLogs
            {
                Resource = new Resource { Attributes = { new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = service } }, new KeyValue { Key = "host.name", Value = new AnyValue { StringValue = "web-1" } } } },
                ScopeLogs =
                {
                    new ScopeLogs
                    {
                        LogRecords =
                        {
                            logs.Select(l => new LogRecord
                            {
                                TimeUnixNano = 1_700_000_000_123_000_000,
                                SeverityNumber = SeverityNumber.Warn,
                                Body = new AnyValue { StringValue = l.Body },
                                Attributes = { l.Category is null ? [] : new[] { new KeyValue { Key = "event.category", Value = new AnyValue { StringValue = l.Category } } } },
                            }),
                        },
                    },
                },
            },
        },
    }.ToByteArray();

    private static async Task<(ConsumerRig Rig, FakeElasticsearch Es, ConsumerRegistration Registration)> SetUpAsync(Action<ElasticsearchOptions>? configure = null)
    {
        ConsumerRig rig = ConsumerRig.InMemory();
        await rig.Engine.Topics.CreateAsync(new TopicConfig { Name = "otlp.logs", Partitions = 1 }, default);
        FakeElasticsearch es = await FakeElasticsearch.StartAsync();
        var options = new ElasticsearchOptions { Url = es.Url.ToString(), ItemBackoff = TimeSpan.FromMilliseconds(5) };
        configure?.Invoke(options);
        var router = new ElasticsearchRouter(new ElasticsearchBulkIndexer(ElasticsearchBulkIndexer.CreateClient(options)), rig.Engine.Producer, Microsoft.Extensions.Options.Options.Create(options), TimeProvider.System, NullLogger<ElasticsearchRouter>.Instance);
        return (rig, es, new ConsumerRegistration("elasticsearch", "otlp.logs", router, DeadLetterRetriable: false));
    }

    private static Task ProduceAsync(ConsumerRig rig, byte[] value) =>
        rig.Engine.Producer.ProduceAsync("otlp.logs", [new Platform.Core.Log.ProduceRecord { Key = "checkout"u8.ToArray(), Value = value }], default);

    [Fact]
    public async Task Logs_become_ecs_documents_in_data_streams_with_deterministic_ids_and_redelivery_adds_nothing()
    {
        var (rig, es, registration) = await SetUpAsync();
        await using var _ = rig;
        await using var __ = es;
        await ProduceAsync(rig, Export("checkout", ("order placed", null), ("payment slow", null)));
        await rig.Runner("i").RunAsync(registration, default);

        Assert.Equal(["otlp.logs-0-0-0", "otlp.logs-0-0-1"], es.Documents.Keys.Select(k => k.Id).Order());
        Assert.All(es.Documents.Keys, k => Assert.Equal("logs-generic-default", k.Index));
        JsonObject doc = es.Documents[("logs-generic-default", "otlp.logs-0-0-0")];
        Assert.Equal("order placed", doc["message"]!.GetValue<string>());
        Assert.Equal("warn", doc["log.level"]!.GetValue<string>());
        Assert.Equal("checkout", doc["service.name"]!.GetValue<string>());
        Assert.Equal("web-1", doc["host.name"]!.GetValue<string>());
        Assert.Equal("2023-11-14T22:13:20.1230000Z", doc["@timestamp"]!.GetValue<string>());

        // The same records again (a crash before commit): every create is a 409 that counts as done.
        await rig.Groups.ResetAsync("elasticsearch", "otlp.logs", ResetTarget.Earliest, 0, default);
        RunResult again = await rig.Runner("i").RunAsync(registration, default);
        Assert.Equal((1, 0), (again.Handled, again.DeadLettered));
        Assert.Equal(2, es.Documents.Count);
    }

    [Fact]
    public async Task A_429_storm_is_retried_per_item_and_indexes_everything_once()
    {
        var (rig, es, registration) = await SetUpAsync();
        await using var _ = rig;
        await using var __ = es;
        es.Refuse = (_, _, _, attempt) => attempt <= 3 ? (429, "es_rejected_execution_exception", "rejected execution of coordinating operation") : null;
        for (int i = 0; i < 3; i++)
        {
            await ProduceAsync(rig, Export("svc", ($"m{i}a", null), ($"m{i}b", null)));
        }

        RunResult run = await rig.Runner("i").RunAsync(registration, default);
        Assert.Equal((3, 0), (run.Handled, run.DeadLettered));
        Assert.Equal(6, es.Documents.Count);
        Assert.Equal(0, (await rig.Groups.GetLagAsync("elasticsearch", "otlp.logs", default)).Sum(l => l.Lag));
    }

    [Fact]
    public async Task A_429_storm_that_outlasts_the_attempts_pauses_the_partition_without_committing_or_dead_lettering()
    {
        var (rig, es, registration) = await SetUpAsync(o => o.ItemAttempts = 2);
        await using var _ = rig;
        await using var __ = es;
        bool overloaded = true;
        es.Refuse = (_, _, _, _) => overloaded ? (429, "es_rejected_execution_exception", "queue full") : null;
        await ProduceAsync(rig, Export("svc", ("x", null)));
        ConsumerRunner runner = rig.Runner("i", new ConsumerOptions { ClaimDuration = TimeSpan.FromSeconds(5), HandlerAttempts = 2, RetryBackoff = TimeSpan.FromMilliseconds(5) });
        RunResult paused = await runner.RunAsync(registration, default);
        Assert.Equal((0, 0), (paused.Handled, paused.DeadLettered));
        Assert.Equal(1, (await rig.Groups.GetLagAsync("elasticsearch", "otlp.logs", default)).Sum(l => l.Lag));
        Assert.Null(await rig.Engine.Topics.FindAsync(DeadLetterWriter.TopicFor("otlp.logs"), default));

        overloaded = false;
        Assert.Equal(1, (await runner.RunAsync(registration, default)).Handled);
        Assert.Single(es.Documents);
    }

    [Fact]
    public async Task A_partial_bulk_failure_dead_letters_only_the_refused_record_with_elasticsearchs_reason()
    {
        var (rig, es, registration) = await SetUpAsync();
        await using var _ = rig;
        await using var __ = es;
        es.Refuse = (_, _, source, _) => source["message"]?.GetValue<string>() == "bad" ? (400, "document_parsing_exception", "failed to parse field [message]") : null;
        await ProduceAsync(rig, Export("svc", ("good", null)));
        await ProduceAsync(rig, Export("svc", ("bad", null)));
        await ProduceAsync(rig, Export("svc", ("fine", null)));
        RunResult run = await rig.Runner("i").RunAsync(registration, default);

        Assert.Equal((2, 1), (run.Handled, run.DeadLettered));
        Assert.Equal(["fine", "good"], es.Documents.Values.Select(d => d["message"]!.GetValue<string>()).Order());
        var dead = (await Records.ReadAllAsync(rig.Engine.Reader, DeadLetterWriter.TopicFor("otlp.logs"), 0)).Single();
        string error = Encoding.UTF8.GetString(dead.Headers.Single(h => h.Key == "dlq.error").Value!.Value.Span);
        Assert.Contains("400 document_parsing_exception: failed to parse field [message]", error, StringComparison.Ordinal);
        Assert.Equal("1", Encoding.UTF8.GetString(dead.Headers.Single(h => h.Key == "dlq.offset").Value!.Value.Span));
    }

    [Fact]
    public async Task Routing_rules_send_matching_records_to_another_index_and_to_a_topic()
    {
        var (rig, es, registration) = await SetUpAsync(o => o.Routes.Add(new ElasticsearchRoute { Attribute = "event.category", Value = "authentication", Index = "logs-security-default", Topic = "security" }));
        await using var _ = rig;
        await using var __ = es;
        await rig.Engine.Topics.CreateAsync(new TopicConfig { Name = "security", Partitions = 1 }, default);
        await ProduceAsync(rig, Export("auth", ("login failed for bob", "authentication"), ("page served", null)));
        await rig.Runner("i").RunAsync(registration, default);

        Assert.Equal("login failed for bob", es.Documents.Single(d => d.Key.Index == "logs-security-default").Value["message"]!.GetValue<string>());
        Assert.Equal("page served", es.Documents.Single(d => d.Key.Index == "logs-generic-default").Value["message"]!.GetValue<string>());
        var routed = (await Records.ReadAllAsync(rig.Engine.Reader, "security", 0)).Single();
        var export = ExportLogsServiceRequest.Parser.ParseFrom(routed.Value!.Value.Span);
        Assert.Equal("login failed for bob", export.ResourceLogs.Single().ScopeLogs.Single().LogRecords.Single().Body.StringValue);
    }

    [Fact]
    public async Task A_record_that_cannot_become_a_document_is_dead_lettered_and_the_partition_moves_on()
    {
        // Issue 10: an OTLP log whose kvlist repeats a key made the mapping throw, and the partition stopped for good.
        var (rig, es, registration) = await SetUpAsync();
        await using var _ = rig;
        await using var __ = es;
        var bad = new ExportLogsServiceRequest
        {
            ResourceLogs =
            {
                new ResourceLogs
                {
                    Resource = new OpenTelemetry.Proto.Resource.V1.Resource { Attributes = { new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = "checkout" } } } },
                    ScopeLogs =
                    {
                        new ScopeLogs
                        {
                            LogRecords =
                            {
                                new LogRecord
                                {
                                    Body = new AnyValue { StringValue = "bad" },
                                    Attributes = { new KeyValue { Key = "http", Value = new AnyValue { KvlistValue = new KeyValueList { Values = { new KeyValue { Key = "a", Value = new AnyValue { IntValue = 1 } }, new KeyValue { Key = "a", Value = new AnyValue { IntValue = 2 } } } } } } },
                                },
                            },
                        },
                    },
                },
            },
        }.ToByteArray();
        await ProduceAsync(rig, bad);
        await ProduceAsync(rig, Export("checkout", ("fine", null)));
        RunResult result = await rig.Runner("i").RunAsync(registration, default);

        Assert.Equal((1, 1), (result.Handled, result.DeadLettered));
        Assert.Equal(["fine"], es.Documents.Values.Select(d => d["message"]!.GetValue<string>()));
        var dead = Assert.Single(await Records.ReadAllAsync(rig.Engine.Reader, "otlp.logs.dlq", 0));
        Assert.Contains("Cannot become an ECS document", System.Text.Encoding.UTF8.GetString(dead.Headers.Single(h => h.Key == "dlq.error").Value!.Value.Span), StringComparison.Ordinal);
        Assert.Equal(2, (await rig.Checkpoints.GetAsync("elasticsearch", new Platform.Core.Log.TopicPartition("otlp.logs", 0), default))!.Offset);
    }

    [Fact]
    public async Task A_bulk_refused_whole_as_malformed_is_bisected_to_the_one_bad_document_and_the_rest_are_indexed()
    {
        var (rig, es, registration) = await SetUpAsync();
        await using var _ = rig;
        await using var __ = es;
        es.RefuseBulk = sources => sources.Any(d => d["message"]?.GetValue<string>() == "poison") ? (400, "x_content_parse_exception", "[1:20] Unexpected character") : null;
        for (int i = 0; i < 7; i++)
        {
            await ProduceAsync(rig, Export("svc", (i == 4 ? "poison" : $"m{i}", null)));
        }

        RunResult run = await rig.Runner("i").RunAsync(registration, default);

        Assert.Equal((6, 1), (run.Handled, run.DeadLettered));
        Assert.Equal(6, es.Documents.Count);
        var dead = Assert.Single(await Records.ReadAllAsync(rig.Engine.Reader, DeadLetterWriter.TopicFor("otlp.logs"), 0));
        Assert.Equal("4", Encoding.UTF8.GetString(dead.Headers.Single(h => h.Key == "dlq.offset").Value!.Value.Span));
        Assert.Contains("400 bulk_failed: [1:20] Unexpected character", Encoding.UTF8.GetString(dead.Headers.Single(h => h.Key == "dlq.error").Value!.Value.Span), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bulk_refused_as_too_large_is_split_until_the_pieces_fit_and_nothing_is_dead_lettered()
    {
        var (rig, es, registration) = await SetUpAsync();
        await using var _ = rig;
        await using var __ = es;
        es.RefuseBulk = sources => sources.Count > 3 ? (413, "http_content_too_long", "request body is too large") : null;
        for (int i = 0; i < 10; i++)
        {
            await ProduceAsync(rig, Export("svc", ($"m{i}", null)));
        }

        RunResult run = await rig.Runner("i").RunAsync(registration, default);

        Assert.Equal((10, 0), (run.Handled, run.DeadLettered));
        Assert.Equal(10, es.Documents.Count);
    }

    [Theory]
    [InlineData(401, "security_exception", "unable to authenticate with provided credentials")]
    [InlineData(403, "security_exception", "action [indices:data/write/bulk[s]] is unauthorized for API key")]
    public async Task Refused_credentials_pause_the_partition_with_a_clear_error_and_dead_letter_nothing(int status, string type, string reason)
    {
        var (rig, es, registration) = await SetUpAsync();
        await using var _ = rig;
        await using var __ = es;
        bool refused = true;
        es.RefuseBulk = _ => refused ? (status, type, reason) : null;
        await ProduceAsync(rig, Export("svc", ("a", null), ("b", null)));
        ConsumerRunner runner = rig.Runner("i", new ConsumerOptions { ClaimDuration = TimeSpan.FromSeconds(5), HandlerAttempts = 2, RetryBackoff = TimeSpan.FromMilliseconds(5) });

        RunResult paused = await runner.RunAsync(registration, default);

        Assert.Equal((0, 0), (paused.Handled, paused.DeadLettered));
        Assert.Null(await rig.Engine.Topics.FindAsync(DeadLetterWriter.TopicFor("otlp.logs"), default));
        Assert.Equal(1, (await rig.Groups.GetLagAsync("elasticsearch", "otlp.logs", default)).Sum(l => l.Lag));
        refused = false;
        Assert.Equal(1, (await runner.RunAsync(registration, default)).Handled);
        Assert.Equal(2, es.Documents.Count);
    }

    [Theory]
    [InlineData(false, "logs-generic-default")]
    [InlineData(true, "logs-payments-default")]
    public async Task Attributes_never_set_the_timestamp_and_choose_the_data_stream_only_when_allowed(bool datasetFromAttributes, string index)
    {
        var (rig, es, registration) = await SetUpAsync(o => o.DatasetFromAttributes = datasetFromAttributes);
        await using var _ = rig;
        await using var __ = es;
        var export = new ExportLogsServiceRequest
        {
            ResourceLogs =
            {
                new ResourceLogs
                {
                    Resource = new Resource { Attributes = { new KeyValue { Key = "data_stream.dataset", Value = new AnyValue { StringValue = "payments" } } } },
                    ScopeLogs =
                    {
                        new ScopeLogs
                        {
                            LogRecords =
                            {
                                new LogRecord
                                {
                                    TimeUnixNano = 1_700_000_000_000_000_000,
                                    Body = new AnyValue { StringValue = "m" },
                                    Attributes =
                                    {
                                        new KeyValue { Key = "@timestamp", Value = new AnyValue { StringValue = "1999-01-01T00:00:00Z" } },
                                        new KeyValue { Key = "data_stream.namespace", Value = new AnyValue { StringValue = "someone-elses" } },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        };
        await ProduceAsync(rig, export.ToByteArray());
        await rig.Runner("i").RunAsync(registration, default);

        ((string Index, string Id) key, JsonObject doc) = Assert.Single(es.Documents.Select(d => (d.Key, d.Value)));
        Assert.Equal(index, key.Index);
        Assert.Equal("2023-11-14T22:13:20.0000000Z", doc["@timestamp"]!.GetValue<string>());
        Assert.Equal("1999-01-01T00:00:00Z", doc["attributes.@timestamp"]!.GetValue<string>());
        Assert.Equal("default", doc["data_stream.namespace"]!.GetValue<string>());
        Assert.Equal("someone-elses", doc["attributes.data_stream.namespace"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(404, "no_handler_found_exception", "no handler found for uri [/wrong/_bulk]", false)]
    [InlineData(407, "proxy", "proxy authentication required", false)]
    [InlineData(400, "illegal_argument_exception", "request [/_bulk] contains unrecognized parameter: [pipelin]", true)]
    public async Task A_whole_call_refusal_that_is_not_the_documents_fault_pauses_and_dead_letters_nothing(int status, string type, string reason, bool evenAlone)
    {
        var (rig, es, registration) = await SetUpAsync(o => o.ItemAttempts = 1);
        await using var _ = rig;
        await using var __ = es;
        bool broken = true;
        es.RefuseBulk = sources => broken && (evenAlone || sources.Count > 0) ? (status, type, reason) : null;
        for (int i = 0; i < 3; i++)
        {
            await ProduceAsync(rig, Export("svc", ($"m{i}", null)));
        }

        ConsumerRunner runner = rig.Runner("i", new ConsumerOptions { ClaimDuration = TimeSpan.FromSeconds(5), HandlerAttempts = 1, RetryBackoff = TimeSpan.FromMilliseconds(5) });
        RunResult paused = await runner.RunAsync(registration, default);

        Assert.Equal((0, 0), (paused.Handled, paused.DeadLettered));
        Assert.Null(await rig.Engine.Topics.FindAsync(DeadLetterWriter.TopicFor("otlp.logs"), default));
        broken = false;
        Assert.Equal(3, (await runner.RunAsync(registration, default)).Handled);
        Assert.Equal(3, es.Documents.Count);
    }

    [Fact]
    public async Task Refused_credentials_on_one_item_never_commit_another_item_that_was_waiting_for_a_retry()
    {
        var (rig, es, registration) = await SetUpAsync();
        await using var _ = rig;
        await using var __ = es;
        bool refused = true;
        es.Refuse = (_, _, source, attempt) => !refused ? null
            : source["message"]?.GetValue<string>() == "throttled" && attempt == 1 ? (429, "es_rejected_execution_exception", "queue full")
            : source["message"]?.GetValue<string>() == "forbidden" ? (403, "security_exception", "unauthorized for API key")
            : null;
        await ProduceAsync(rig, Export("svc", ("throttled", null)));
        await ProduceAsync(rig, Export("svc", ("forbidden", null)));
        ConsumerRunner runner = rig.Runner("i", new ConsumerOptions { ClaimDuration = TimeSpan.FromSeconds(5), HandlerAttempts = 1, RetryBackoff = TimeSpan.FromMilliseconds(5) });

        RunResult paused = await runner.RunAsync(registration, default);
        Assert.Equal((0, 0), (paused.Handled, paused.DeadLettered));
        Assert.Equal(2, (await rig.Groups.GetLagAsync("elasticsearch", "otlp.logs", default)).Sum(l => l.Lag));

        refused = false;
        await runner.RunAsync(registration, default);
        Assert.Equal(["forbidden", "throttled"], es.Documents.Values.Select(d => d["message"]!.GetValue<string>()).Order());
    }
}
