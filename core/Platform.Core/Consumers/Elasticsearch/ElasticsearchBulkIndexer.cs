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
        if (response.Items.Count != documents.Count)
        {
            // The whole call failed (connection, 429 or 5xx for the request): every item may be retried.
            int status = response.ApiCallDetails?.HttpStatusCode ?? 503;
            string reason = response.ElasticsearchServerError?.Error?.Reason ?? response.ApiCallDetails?.OriginalException?.Message ?? "bulk request failed";
            return [.. documents.Select(d => new BulkItemResult(d.Id, status is 429 or >= 500 or 0 ? (status == 0 ? 503 : status) : status, "bulk_failed", reason))];
        }

        return [.. response.Items.Select((item, i) => new BulkItemResult(documents[i].Id, item.Status, item.Error?.Type, item.Error?.Reason))];
    }
}
