using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Platform.Core.Log.Reading;
using Platform.Core.Log.Topics;
using Platform.Core.Ingestion;
using Platform.Core.Ingestion.Http;
using Platform.Core.Security;

namespace Platform.Functions.Http;

/// <summary>
/// A live tail of a topic as server-sent events (<c>GET /api/topics/{topic}/stream</c>): every new record of every
/// partition (or of <c>?partition=</c>) from <c>?from=latest</c> (default), <c>earliest</c> or a time, each event's id
/// the cursor of every partition followed, so a client reconnecting with <c>Last-Event-ID</c> resumes without loss or
/// duplicates; a comment line every <c>?heartbeatMs=</c> (15 s) keeps proxies open. At most
/// <see cref="StreamGate.MaxStreamsPerKey"/> streams per API key per instance (429 beyond).
/// </summary>
public sealed class StreamFunctions(RequestAuthorizer auth, TopicManager topics, LogReader reader, TopicTail tail, StreamGate gate)
{
    [Function("StreamRecords")]
    public async Task<IResult> Stream([HttpTrigger(AuthorizationLevel.Function, "get", Route = "topics/{topic}/stream")] HttpRequest request, string topic, CancellationToken cancellationToken)
    {
        var principal = await auth.RequireAsync(request, ApiOperation.Consume, topic, cancellationToken);
        var config = await topics.GetAsync(topic, cancellationToken);
        var q = request.Query;
        var format = q.TryGetValue("format", out var f) ? f.ToString().ToLowerInvariant() : "json";
        if (format is not ("text" or "base64" or "json")) throw new BadRequestException("format must be text, base64 or json.");
        var heartbeat = TimeSpan.FromMilliseconds(q.TryGetValue("heartbeatMs", out var h)
            ? Math.Clamp(int.TryParse(h, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? ms : throw new BadRequestException("heartbeatMs must be a number of milliseconds."), 1_000, 60_000)
            : 15_000);
        if (!gate.TryEnter(principal.KeyId))
        {
            request.HttpContext.Response.Headers.RetryAfter = "5";
            return Problems.Problem(StatusCodes.Status429TooManyRequests, "Too many streams", $"This API key holds {StreamGate.MaxStreamsPerKey} streams open on this instance already.");
        }
        try
        {
            var cursor = await StartAsync(request, config, cancellationToken);
            return new ServerSentEvents(tail, topic, cursor, format, heartbeat, () => gate.Exit(principal.KeyId), cancellationToken);
        }
        catch
        {
            gate.Exit(principal.KeyId);
            throw;
        }
    }

    /// <summary>How long one response streams before it ends cleanly (the client reconnects with its last id): well inside any function time-out.</summary>
    public static readonly TimeSpan MaxStreamDuration = TimeSpan.FromMinutes(4);

    private async Task<StreamCursor> StartAsync(HttpRequest request, TopicConfig config, CancellationToken cancellationToken)
    {
        var q = request.Query;
        IEnumerable<int> partitions = Enumerable.Range(0, config.Partitions);
        if (q.TryGetValue("partition", out var p))
        {
            if (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var only) || only >= config.Partitions)
            {
                throw new BadRequestException($"partition must be a partition of {config.Name} (0 to {config.Partitions - 1}).");
            }
            partitions = [only];
        }
        if (request.Headers.TryGetValue("Last-Event-ID", out var last) && last.ToString() is { Length: > 0 } id)
        {
            var (resumed, error) = StreamCursor.Parse(id, config.Partitions);
            if (resumed is null) throw new BadRequestException($"Last-Event-ID is not a stream position: {error}.");
            if (!resumed.Next.Keys.Order().SequenceEqual(partitions))
            {
                throw new BadRequestException("Last-Event-ID names other partitions than this stream follows (every partition, or the one in ?partition=).");
            }
            foreach (var (partition, resumeAt) in resumed.Next)
            {
                var latest = (await reader.GetOffsetsAsync(config.Name, partition, cancellationToken)).Latest;
                if (resumeAt > latest) throw new BadRequestException($"Last-Event-ID is past the end of partition {partition} ({resumeAt} > {latest}): it is not a position of this log.");
            }
            return resumed;
        }
        var from = q.TryGetValue("from", out var fr) ? fr.ToString() : "latest";
        var next = new Dictionary<int, long>();
        foreach (var partition in partitions)
        {
            var offsets = await reader.GetOffsetsAsync(config.Name, partition, cancellationToken);
            next[partition] = from switch
            {
                "latest" => offsets.Latest,
                "earliest" => offsets.Earliest,
                _ => await reader.FindOffsetByTimeAsync(config.Name, partition, TimeValue.ParseUnixMilliseconds(from, "from"), cancellationToken) ?? offsets.Latest,
            };
        }
        return new StreamCursor(next);
    }

    /// <summary>Writes the stream until the client goes away.</summary>
    private sealed class ServerSentEvents(TopicTail tail, string topic, StreamCursor cursor, string format, TimeSpan heartbeat, Action done, CancellationToken invocation) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            // The client going away, the invocation being cancelled (time-out, shutdown), or the longest a response streams.
            using var ending = CancellationTokenSource.CreateLinkedTokenSource(httpContext.RequestAborted, invocation);
            ending.CancelAfter(MaxStreamDuration);
            var aborted = ending.Token;
            try
            {
                response.ContentType = "text/event-stream";
                response.Headers.CacheControl = "no-cache, no-transform";
                response.Headers["X-Accel-Buffering"] = "no";
                // The position first: a client that reconnects before any record still resumes from here.
                await response.WriteAsync($"retry: 1000\nid: {cursor}\n: following {topic}\n\n", aborted);
                await response.Body.FlushAsync(aborted);
                var lastWrite = DateTime.UtcNow;
                await foreach (var item in tail.FollowAsync(topic, cursor, TimeSpan.FromSeconds(1), aborted))
                {
                    if (item.Record is { } record)
                    {
                        var view = RecordView.Of(record, format);
                        view["partition"] = item.Partition;
                        var text = new StringBuilder().Append("id: ").Append(cursor).Append("\nevent: record\ndata: ").Append(JsonSerializer.Serialize(view)).Append("\n\n");
                        await response.WriteAsync(text.ToString(), aborted);
                    }
                    else if (item.SkippedTo is { } to)
                    {
                        await response.WriteAsync($"id: {cursor}\nevent: skipped\ndata: {{\"partition\":{item.Partition},\"nextOffset\":{to}}}\n\n", aborted);
                    }
                    else if (DateTime.UtcNow - lastWrite >= heartbeat)
                    {
                        await response.WriteAsync($": keep-alive\nid: {cursor}\n\n", aborted);
                    }
                    else
                    {
                        continue;
                    }
                    await response.Body.FlushAsync(aborted);
                    lastWrite = DateTime.UtcNow;
                }
            }
            catch (OperationCanceledException) when (aborted.IsCancellationRequested)
            {
                // The client went away, or the response reached its longest: the stream ends (the client reconnects with its id).
            }
            catch (IOException) when (aborted.IsCancellationRequested)
            {
            }
            catch (Exception e) when (!aborted.IsCancellationRequested && response.HasStarted)
            {
                // Storage trouble mid-stream: said as an event, and the client asked to wait longer before reconnecting.
                var detail = JsonSerializer.Serialize(new { title = "Stream interrupted", detail = e.Message });
                try
                {
                    await response.WriteAsync($"retry: 5000\nid: {cursor}\nevent: error\ndata: {detail}\n\n", CancellationToken.None);
                }
                catch (IOException)
                {
                }
            }
            finally
            {
                done();
            }
        }
    }
}
