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
        var cursor = await StartAsync(request, config, cancellationToken);
        if (!gate.TryEnter(principal.KeyId))
        {
            return Problems.Problem(StatusCodes.Status429TooManyRequests, "Too many streams", $"This API key holds {StreamGate.MaxStreamsPerKey} streams open on this instance already.");
        }
        return new ServerSentEvents(tail, topic, cursor, format, heartbeat, () => gate.Exit(principal.KeyId));
    }

    private async Task<StreamCursor> StartAsync(HttpRequest request, TopicConfig config, CancellationToken cancellationToken)
    {
        if (request.Headers.TryGetValue("Last-Event-ID", out var last) && last.ToString() is { Length: > 0 } id)
        {
            var (resumed, error) = StreamCursor.Parse(id, config.Partitions);
            return resumed ?? throw new BadRequestException($"Last-Event-ID is not a stream position: {error}.");
        }
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
    private sealed class ServerSentEvents(TopicTail tail, string topic, StreamCursor cursor, string format, TimeSpan heartbeat, Action done) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            var aborted = httpContext.RequestAborted;
            try
            {
                response.ContentType = "text/event-stream";
                response.Headers.CacheControl = "no-cache";
                response.Headers["X-Accel-Buffering"] = "no";
                await response.WriteAsync($"retry: 1000\n: following {topic} from {cursor}\n\n", aborted);
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
                        await response.WriteAsync(": keep-alive\n\n", aborted);
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
                // The client went away: the stream ends.
            }
            catch (IOException) when (aborted.IsCancellationRequested)
            {
            }
            finally
            {
                done();
            }
        }
    }
}
