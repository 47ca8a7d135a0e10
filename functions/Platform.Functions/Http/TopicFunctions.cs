using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Platform.Core.Log.Batches;
using Platform.Core.Log.Reading;
using Platform.Core.Log.Topics;
using Platform.Core.Security;
using Platform.Core.Ingestion;
using Microsoft.Extensions.Options;
using Platform.Core.Alerting;
using Platform.Core.Consumers;
using Platform.Core.Ingestion.Otlp;
using Platform.Core.Options;

namespace Platform.Functions.Http;

/// <summary>Topic admin: create, list, describe, alter (settings), delete.</summary>
public sealed class TopicFunctions(
    RequestAuthorizer auth, TopicManager topics, LogReader reader, IOptions<LogOptions> logOptions, IOptions<OtlpOptions> otlpOptions, IOptions<AlertingOptions> alertingOptions, ConsumerRegistry registry)
{
    private const int MaxBodyBytes = 64 * 1024;

    [Function("CreateTopic")]
    public async Task<IResult> Create([HttpTrigger(AuthorizationLevel.Function, "post", Route = "topics")] HttpRequest request, CancellationToken cancellationToken)
    {
        ApiPrincipal principal = await auth.AuthenticateAsync(request, cancellationToken);
        CreateTopicRequest body = await JsonBody.ReadAsync<CreateTopicRequest>(request, MaxBodyBytes, cancellationToken);
        if (body.Name?.EndsWith(Platform.Core.Consumers.DeadLetterWriter.DeadLetterSuffix, StringComparison.Ordinal) == true)
        {
            throw new BadRequestException($"Topic '{body.Name}' is a dead-letter topic: the platform creates those itself, for the topic before '.dlq'.");
        }

        if (!principal.Allows(ApiOperation.Admin, body.Name))
        {
            throw new ForbiddenException($"This key may not create topic '{body.Name}'.");
        }

        TopicConfig created = await topics.CreateAsync(body.ToConfig(), cancellationToken);
        return Results.Created($"/api/topics/{created.Name}", TopicView.From(created, partitions: null));
    }

    [Function("ListTopics")]
    public async Task<IResult> List([HttpTrigger(AuthorizationLevel.Function, "get", Route = "topics")] HttpRequest request, CancellationToken cancellationToken)
    {
        ApiPrincipal principal = await auth.AuthenticateAsync(request, cancellationToken);
        IReadOnlyList<TopicConfig> all = await topics.ListAsync(cancellationToken);
        return Results.Ok(new { topics = all.Where(t => principal.Sees(t.Name)).Select(t => TopicView.From(t, partitions: null)) });
    }

    [Function("AlterTopic")]
    public async Task<IResult> Alter([HttpTrigger(AuthorizationLevel.Function, "patch", Route = "topics/{topic}")] HttpRequest request, string topic, CancellationToken cancellationToken)
    {
        ApiPrincipal principal = await auth.AuthenticateAsync(request, cancellationToken);
        if (!principal.Allows(ApiOperation.Admin, topic))
        {
            throw new ForbiddenException($"This key may not change topic '{topic}'.");
        }

        CreateTopicRequest body = await JsonBody.ReadAsync<CreateTopicRequest>(request, MaxBodyBytes, cancellationToken);
        if (body.Name is not null && body.Name != topic)
        {
            throw new BadRequestException($"A topic cannot be renamed ('{topic}' to '{body.Name}'): leave 'name' out, or give the same.");
        }

        TopicConfig changed = await topics.UpdateAsync(topic, body.ApplyTo, cancellationToken);
        return Results.Ok(TopicView.From(changed, partitions: null));
    }

    [Function("DeleteTopic")]
    public async Task<IResult> Delete([HttpTrigger(AuthorizationLevel.Function, "delete", Route = "topics/{topic}")] HttpRequest request, string topic, CancellationToken cancellationToken)
    {
        ApiPrincipal principal = await auth.AuthenticateAsync(request, cancellationToken);
        if (!principal.Allows(ApiOperation.Admin, topic))
        {
            throw new ForbiddenException($"This key may not delete topic '{topic}'.");
        }

        if (PlatformUses(topic) is { } use)
        {
            return Problems.Problem(StatusCodes.Status409Conflict, "Topic in use by the platform", $"Topic '{topic}' is {use}; it cannot be deleted while the platform is configured to use it.");
        }

        TopicConfig deleted = await topics.DeleteAsync(topic, cancellationToken);
        DateTimeOffset removedAfter = DateTimeOffset.FromUnixTimeMilliseconds(deleted.DeletedAt) + logOptions.Value.TopicDeleteGrace;
        return Results.Accepted(value: new { name = deleted.Name, deletedAt = DateTimeOffset.FromUnixTimeMilliseconds(deleted.DeletedAt), dataRemovedAfter = removedAfter });
    }

    private string? PlatformUses(string topic)
    {
        OtlpOptions otlp = otlpOptions.Value;
        if (topic == otlp.LogsTopic || topic == otlp.MetricsTopic || topic == otlp.TracesTopic) return "where the OTLP receivers append";
        if (topic == alertingOptions.Value.AlertsTopic) return "where alerting keeps its alerts";
        return registry.Reads(topic) ? "read by one of the platform's consumer jobs" : null;
    }

    [Function("DescribeTopic")]
    public async Task<IResult> Describe([HttpTrigger(AuthorizationLevel.Function, "get", Route = "topics/{topic}")] HttpRequest request, string topic, CancellationToken cancellationToken)
    {
        ApiPrincipal principal = await auth.AuthenticateAsync(request, cancellationToken);
        if (!principal.Allows(ApiOperation.Admin, topic) && !principal.Allows(ApiOperation.Consume, topic))
        {
            throw new ForbiddenException($"This key may not describe topic '{topic}'.");
        }

        TopicConfig config = await topics.GetAsync(topic, cancellationToken);
        PartitionView[] partitions = await PartitionFanOut.ForEachAsync(config.Partitions, async (p, ct) =>
        {
            PartitionOffsets offsets = await reader.GetOffsetsAsync(topic, p, ct);
            return new PartitionView(p, offsets.Earliest, offsets.Latest);
        }, cancellationToken);
        return Results.Ok(TopicView.From(config, partitions));
    }

    [System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
    internal sealed record CreateTopicRequest(string? Name, int? Partitions, long? RetentionMs, long? RetentionBytes, string? CleanupPolicy, string? Compression, int? MaxRecordBytes,
        long? MinCompactionLagMs = null, long? MaxCompactionLagMs = null, long? DeleteRetentionMs = null, double? MinCleanableDirtyRatio = null, long? SegmentMs = null)
    {
        public TopicConfig ToConfig() => ApplyTo(new TopicConfig { Name = Name ?? string.Empty, Partitions = Partitions ?? 1 });

        /// <summary>The settings given in the body over <paramref name="defaults"/>; those not given are kept.</summary>
        public TopicConfig ApplyTo(TopicConfig defaults)
        {
            return defaults with
            {
                Partitions = Partitions ?? defaults.Partitions,
                RetentionMs = RetentionMs ?? defaults.RetentionMs,
                RetentionBytes = RetentionBytes ?? defaults.RetentionBytes,
                CleanupPolicy = CleanupPolicy is null ? defaults.CleanupPolicy : ParsePolicy(CleanupPolicy),
                Compression = Compression is null ? defaults.Compression : ParseCodec(Compression),
                MaxRecordBytes = MaxRecordBytes ?? defaults.MaxRecordBytes,
                SegmentMs = SegmentMs ?? defaults.SegmentMs,
                MinCompactionLagMs = MinCompactionLagMs ?? defaults.MinCompactionLagMs,
                MaxCompactionLagMs = MaxCompactionLagMs ?? defaults.MaxCompactionLagMs,
                DeleteRetentionMs = DeleteRetentionMs ?? defaults.DeleteRetentionMs,
                MinCleanableDirtyRatio = MinCleanableDirtyRatio ?? defaults.MinCleanableDirtyRatio,
            };
        }

        private static Core.Log.Topics.CleanupPolicy ParsePolicy(string value) => value.Replace(" ", string.Empty, StringComparison.Ordinal).ToLowerInvariant() switch
        {
            "delete" => Core.Log.Topics.CleanupPolicy.Delete,
            "compact" => Core.Log.Topics.CleanupPolicy.Compact,
            "compact,delete" or "delete,compact" => Core.Log.Topics.CleanupPolicy.CompactAndDelete,
            _ => throw new BadRequestException($"cleanupPolicy '{value}' is not one of delete, compact, compact,delete."),
        };

        private static CompressionCodec ParseCodec(string value) => value.ToLowerInvariant() switch
        {
            "none" => CompressionCodec.None,
            "gzip" => CompressionCodec.Gzip,
            "zstd" => CompressionCodec.Zstd,
            _ => throw new BadRequestException($"compression '{value}' is not one of none, gzip, zstd."),
        };
    }

    internal sealed record PartitionView(int Partition, long EarliestOffset, long LatestOffset);

    internal sealed record TopicView(string Name, int Partitions, long RetentionMs, long RetentionBytes, string CleanupPolicy, string Compression, int MaxRecordBytes, DateTimeOffset CreatedAt, [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<PartitionView>? Offsets)
    {
        [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
        public CompactionView? Compaction { get; init; }

        public long SegmentMs { get; init; }

        public static TopicView From(TopicConfig t, IReadOnlyList<PartitionView>? partitions) => new(
            t.Name,
            t.Partitions,
            t.RetentionMs,
            t.RetentionBytes,
            t.CleanupPolicy switch { Core.Log.Topics.CleanupPolicy.Compact => "compact", Core.Log.Topics.CleanupPolicy.CompactAndDelete => "compact,delete", _ => "delete" },
            t.Compression.ToString().ToLowerInvariant(),
            t.MaxRecordBytes,
            DateTimeOffset.FromUnixTimeMilliseconds(t.CreatedAt),
            partitions)
        {
            Compaction = t.IsCompacted ? new CompactionView(t.MinCompactionLagMs, t.MaxCompactionLagMs, t.DeleteRetentionMs, t.MinCleanableDirtyRatio) : null,
            SegmentMs = t.SegmentMs,
        };
    }

    internal sealed record CompactionView(long MinCompactionLagMs, long MaxCompactionLagMs, long DeleteRetentionMs, double MinCleanableDirtyRatio);
}
