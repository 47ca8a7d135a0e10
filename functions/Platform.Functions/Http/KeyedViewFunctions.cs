using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Platform.Core.Ingestion;
using Platform.Core.Log;
using Platform.Core.Log.KeyedView;
using Platform.Core.Log.Partitioning;
using Platform.Core.Log.Topics;
using Platform.Core.Security;
using Platform.Core.Storage;

namespace Platform.Functions.Http;

/// <summary>
/// The keyed view of a compacted topic: the latest value of a key (<c>GET /api/topics/{topic}/keys/{key}</c>) and the
/// keys by prefix (<c>GET /api/topics/{topic}/keys?prefix=…</c>), from the table the <c>MaintainKeyedViews</c> timer
/// keeps. A materialized view: every answer says how far behind the log it is.
/// </summary>
public sealed class KeyedViewFunctions(RequestAuthorizer auth, TopicManager topics, IKeyedViewStore store, KeyedViewMaintainer maintainer)
{
    private const int DefaultLimit = 100;
    private const int MaxLimit = 1000;

    [Function("GetTopicKey")]
    public async Task<IResult> Get([HttpTrigger(AuthorizationLevel.Function, "get", Route = "topics/{topic}/keys/{*key}")] HttpRequest request, string topic, string key, CancellationToken cancellationToken)
    {
        await auth.RequireAsync(request, ApiOperation.Consume, topic, cancellationToken);
        TopicConfig config = await CompactedAsync(topic, cancellationToken);
        string format = Format(request);
        byte[] keyBytes = KeyBytes(request, key, "key");
        IReadOnlyList<KeyedViewLag> lag = await maintainer.LagAsync(topic, cancellationToken);
        // Keyed records land on the key's hash partition; records produced to an explicit partition are looked up there too.
        int home = Murmur2.Partition(keyBytes, config.Partitions);
        foreach (int p in Enumerable.Range(0, config.Partitions).OrderBy(p => p == home ? 0 : 1))
        {
            if (await store.GetAsync(new TopicPartition(topic, p), keyBytes, cancellationToken) is { } entry)
            {
                Dictionary<string, object?> view = Entry(entry, p, format);
                view["view"] = LagView(lag[p]);
                return Results.Ok(view);
            }
        }

        return Problems.Problem(StatusCodes.Status404NotFound, "No such key", $"Key '{key}' is not in the view of topic '{topic}' (the view is {lag.Sum(l => l.Lag)} records behind the log).");
    }

    [Function("ListTopicKeys")]
    public async Task<IResult> List([HttpTrigger(AuthorizationLevel.Function, "get", Route = "topics/{topic}/keys")] HttpRequest request, string topic, CancellationToken cancellationToken)
    {
        await auth.RequireAsync(request, ApiOperation.Consume, topic, cancellationToken);
        TopicConfig config = await CompactedAsync(topic, cancellationToken);
        IQueryCollection q = request.Query;
        string format = Format(request);
        _ = Base64Keys(request);
        byte[] prefix = q.TryGetValue("prefix", out var p) ? KeyBytes(request, p.ToString(), "prefix") : [];
        byte[]? after = q.TryGetValue("after", out var a) ? Cursor(a.ToString()) : null;
        int limit = q.TryGetValue("limit", out var l)
            ? (int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n is >= 1 and <= MaxLimit ? n : throw new BadRequestException($"limit must be between 1 and {MaxLimit}."))
            : DefaultLimit;

        // Each partition holds its keys in order: merge the first 'limit + 1' of each.
        var found = new List<(KeyedEntry Entry, int Partition)>();
        for (int partition = 0; partition < config.Partitions; partition++)
        {
            foreach (KeyedEntry e in await store.ListAsync(new TopicPartition(topic, partition), prefix, after, limit + 1, cancellationToken))
            {
                found.Add((e, partition));
            }
        }

        var page = found.OrderBy(f => f.Entry.Key, ByteOrder.Instance).Take(limit + 1).ToList();
        bool more = page.Count > limit;
        page = [.. page.Take(limit)];
        IReadOnlyList<KeyedViewLag> lag = await maintainer.LagAsync(topic, cancellationToken);
        return Results.Ok(new
        {
            topic,
            keys = page.Select(f => Entry(f.Entry, f.Partition, format)),
            next = more ? Convert.ToBase64String(page[^1].Entry.Key) : null, // opaque (base64 of the last key): any key round-trips
            view = new { lag = lag.Sum(x => x.Lag), partitions = lag.Select(LagView) },
        });
    }

    private async Task<TopicConfig> CompactedAsync(string topic, CancellationToken cancellationToken)
    {
        TopicConfig config = await topics.GetAsync(topic, cancellationToken);
        return config.IsCompacted
            ? config
            : throw new BadRequestException($"Topic '{topic}' is not compacted (cleanupPolicy {config.CleanupPolicy}): the keyed view exists for compact and compact,delete topics.");
    }

    private static string Format(HttpRequest request)
    {
        string format = request.Query.TryGetValue("format", out var f) ? f.ToString().ToLowerInvariant() : "json";
        return format is "text" or "base64" or "json" ? format : throw new BadRequestException("format must be text, base64 or json.");
    }

    private static bool Base64Keys(HttpRequest request) => request.Query.TryGetValue("keyFormat", out var k) && k.ToString() switch
    {
        "base64" => true,
        "text" => false,
        _ => throw new BadRequestException("keyFormat must be text or base64."),
    };

    private static byte[] KeyBytes(HttpRequest request, string text, string what)
    {
        if (!Base64Keys(request))
        {
            return Encoding.UTF8.GetBytes(text);
        }

        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw new BadRequestException($"{what} is not base64 (keyFormat=base64).");
        }
    }

    private static byte[] Cursor(string text)
    {
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw new BadRequestException("after must be the 'next' value of the previous page.");
        }
    }

    private static Dictionary<string, object?> Entry(KeyedEntry e, int partition, string format)
    {
        var record = new LogRecord(e.Offset, e.Timestamp, e.AppendTime, e.Key, e.Value is null ? default(ReadOnlyMemory<byte>?) : e.Value, []);
        Dictionary<string, object?> view = RecordView.Of(record, format);
        view["partition"] = partition;
        if (e.Value is null)
        {
            view["value"] = null;
            view["valueTooLarge"] = true; // read it from the log at this partition and offset
        }

        return view;
    }

    private static object LagView(KeyedViewLag lag) => new { partition = lag.Partition, viewOffset = lag.ViewOffset, logEndOffset = lag.LogEndOffset, lag = lag.Lag };

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static ByteOrder Instance { get; } = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
