using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Platform.Core.Consumers;
using Platform.Core.Security;
using Platform.Core.Ingestion;
using Platform.Core.Ingestion.Http;

namespace Platform.Functions.Http;

/// <summary>
/// Consumer group admin: lag per partition (consume on the topic and on the group), and offset resets (admin on both),
/// as Kafka's authorizer asks for the group resource beside the topic.
/// </summary>
public sealed class GroupFunctions(RequestAuthorizer auth, ConsumerGroups groups)
{
    [Function("ListGroups")]
    public async Task<IResult> List([HttpTrigger(AuthorizationLevel.Function, "get", Route = "groups")] HttpRequest request, CancellationToken cancellationToken)
    {
        ApiPrincipal principal = await auth.AuthenticateAsync(request, cancellationToken);
        string? topic = request.Query["topic"] is { Count: > 0 } t ? t.ToString() : null;
        if (topic is not null && Platform.Core.Log.Topics.TopicName.Validate(topic) is { } problem)
        {
            throw new BadRequestException($"topic: {problem}");
        }

        IReadOnlyList<GroupTopicLag> all = await groups.ListAsync(topic, (group, name) => principal.Allows(ApiOperation.Consume, name) && principal.AllowsGroup(ApiOperation.Consume, group), cancellationToken);
        return Results.Ok(new { groups = all.Select(g => new { group = g.Group, topic = g.Topic, partitionsCommitted = g.PartitionsCommitted, lag = g.Lag }) });
    }

    [Function("GroupLag")]
    public async Task<IResult> Lag([HttpTrigger(AuthorizationLevel.Function, "get", Route = "groups/{group}/topics/{topic}")] HttpRequest request, string group, string topic, CancellationToken cancellationToken)
    {
        await auth.RequireGroupAsync(request, ApiOperation.Consume, group, topic, cancellationToken);
        IReadOnlyList<PartitionLag> lag = await groups.GetLagAsync(group, topic, cancellationToken);
        return Results.Ok(View(group, topic, lag));
    }

    [Function("GroupReset")]
    public async Task<IResult> Reset([HttpTrigger(AuthorizationLevel.Function, "post", Route = "groups/{group}/topics/{topic}/reset")] HttpRequest request, string group, string topic, CancellationToken cancellationToken)
    {
        await auth.RequireGroupAsync(request, ApiOperation.Admin, group, topic, cancellationToken);
        ResetRequest body = await JsonBody.ReadAsync<ResetRequest>(request, 4096, cancellationToken);
        (ResetTarget target, long value) = body.To?.ToLowerInvariant() switch
        {
            "earliest" => (ResetTarget.Earliest, 0L),
            "latest" => (ResetTarget.Latest, 0L),
            "offset" => (ResetTarget.Offset, body.Offset ?? throw new BadRequestException("'offset' is required with to=offset.")),
            "timestamp" => (ResetTarget.Timestamp, TimeValue.ParseUnixMilliseconds(body.Timestamp, "'timestamp'")),
            _ => throw new BadRequestException("'to' must be earliest, latest, offset or timestamp."),
        };
        IReadOnlyList<PartitionLag> lag = await groups.ResetAsync(group, topic, target, value, cancellationToken);
        return Results.Ok(View(group, topic, lag));
    }

    [Function("GroupCommit")]
    public async Task<IResult> Commit([HttpTrigger(AuthorizationLevel.Function, "post", Route = "groups/{group}/topics/{topic}/commit")] HttpRequest request, string group, string topic, CancellationToken cancellationToken)
    {
        await auth.RequireGroupAsync(request, ApiOperation.Consume, group, topic, cancellationToken);
        CommitRequest body = await JsonBody.ReadAsync<CommitRequest>(request, 256 * 1024, cancellationToken);
        if (body.Offsets is null || body.Offsets.Any(o => o?.Partition is null || o.Offset is null))
        {
            throw new BadRequestException("'offsets' must be a list of {\"partition\": p, \"offset\": next offset to read}.");
        }

        IReadOnlyList<PartitionLag> lag = await groups.CommitAsync(group, topic, [.. body.Offsets.Select(o => (o!.Partition!.Value, o.Offset!.Value))], cancellationToken);
        return Results.Ok(View(group, topic, lag));
    }

    private static object View(string group, string topic, IReadOnlyList<PartitionLag> lag) => new
    {
        group,
        topic,
        lag = lag.Sum(l => l.Lag),
        partitions = lag.Select(l => new { partition = l.Partition, committedOffset = l.Committed, logEndOffset = l.LogEndOffset, lag = l.Lag }),
    };

    internal sealed record CommitRequest(List<CommitOffset?>? Offsets);

    internal sealed record CommitOffset(int? Partition, long? Offset);

    internal sealed record ResetRequest(string? To, long? Offset, string? Timestamp);
}
