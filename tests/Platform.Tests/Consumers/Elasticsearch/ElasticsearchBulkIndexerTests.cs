using System.Text.Json.Nodes;
using Platform.Core.Consumers.Elasticsearch;

namespace Platform.Tests.Consumers.Elasticsearch;

public sealed class ElasticsearchBulkIndexerTests
{
    // Regression: a 200 answer without item results was classified by its HTTP status as "done": documents lost.
    [Fact]
    public async Task An_answer_without_item_results_is_retriable_never_done()
    {
        await using FakeElasticsearch es = await FakeElasticsearch.StartAsync();
        es.DropItems = true;
        var indexer = new ElasticsearchBulkIndexer(ElasticsearchBulkIndexer.CreateClient(new ElasticsearchOptions { Url = es.Url.ToString() }));
        var results = await indexer.CreateAsync([new BulkDocument("logs-a-default", "1", new JsonObject { ["message"] = "x" })], default);
        BulkItemResult only = Assert.Single(results);
        Assert.False(only.Done);
        Assert.True(only.Retriable);
    }

    [Fact]
    public async Task Items_are_reported_in_request_order_with_their_errors()
    {
        await using FakeElasticsearch es = await FakeElasticsearch.StartAsync();
        es.Refuse = (_, id, _, _) => id == "2" ? (400, "document_parsing_exception", "bad field") : null;
        var indexer = new ElasticsearchBulkIndexer(ElasticsearchBulkIndexer.CreateClient(new ElasticsearchOptions { Url = es.Url.ToString() }));
        BulkDocument[] docs = [new("i", "1", new JsonObject()), new("i", "2", new JsonObject()), new("i", "1", new JsonObject())];
        var results = await indexer.CreateAsync(docs, default);
        Assert.Equal([(201, true), (400, false), (409, true)], results.Select(r => (r.Status, r.Done)));
        Assert.Equal("bad field", results[1].ErrorReason);
    }
}
