using System.Text.Json.Nodes;
using Elastic.Clients.Elasticsearch;
using Elastic.Clients.Elasticsearch.Core.Bulk;
using Elastic.Transport;

namespace Platform.Core.Consumers.Elasticsearch;

/// <summary><see cref="IBulkIndexer"/> with Elastic.Clients.Elasticsearch.</summary>
public sealed class ElasticsearchBulkIndexer(ElasticsearchClient client) : IBulkIndexer
{
    /// <summary>A client for the URL and API key.</summary>
    public static ElasticsearchClient CreateClient(ElasticsearchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = new ElasticsearchClientSettings(new Uri(options.Url!));
        if (!string.IsNullOrEmpty(options.ApiKey))
        {
            settings = settings.Authentication(new ApiKey(options.ApiKey));
        }

        return new ElasticsearchClient(settings);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<BulkItemResult>> CreateAsync(IReadOnlyList<BulkDocument> documents, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var request = new BulkRequest { Operations = [] };
        foreach (BulkDocument d in documents)
        {
            request.Operations.Add(new BulkCreateOperation<JsonObject>(d.Source) { Index = d.Index, Id = d.Id });
        }

        BulkResponse response = await client.BulkAsync(request, cancellationToken).ConfigureAwait(false);
        // A call refused as a whole has no items at all (the client leaves them null).
        if (response.Items is not { } items || items.Count != documents.Count)
        {
            // No per-item answer: the call's own status for every item. A 200 without items (a broken proxy, a truncated
            // answer) tells nothing was indexed: retriable, as no answer at all.
            int status = response.ApiCallDetails?.HttpStatusCode ?? 0;
            string reason = response.ElasticsearchServerError?.Error?.Reason ?? response.ApiCallDetails?.OriginalException?.Message ?? $"bulk call answered {status} without item results";
            // 400, 413, 401 and 403 mean something to the router (bisect, split, pause); anything else (no answer, a 404 of
            // a wrong URL, a proxy's 407, a 408) says nothing of the documents: retriable, the partition waits.
            int meaning = status is 400 or 401 or 403 or 413 or 429 or >= 500 ? status : 503;
            return [.. documents.Select(d => new BulkItemResult(d.Id, meaning, BulkItemResult.WholeCallType, reason))];
        }

        return [.. items.Select((item, i) => new BulkItemResult(documents[i].Id, item.Status, item.Error?.Type, item.Error?.Reason))];
    }
}
