using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Hosting;

/// <summary>The topic admin routes over real HTTP on the local host.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class TopicAdminHttpTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Topics_are_created_listed_and_described()
    {
        await using LocalHost host = await LocalHost.StartAsync(azurite, nameof(Topics_are_created_listed_and_described));
        HttpResponseMessage created = await host.Client.PostAsJsonAsync("/api/topics", new { name = "orders", partitions = 3, compression = "zstd", cleanupPolicy = "compact,delete", minCompactionLagMs = 1000, deleteRetentionMs = 3_600_000 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/api/topics/orders", created.Headers.Location?.OriginalString);

        JsonElement list = await host.Client.GetFromJsonAsync<JsonElement>("/api/topics");
        JsonElement orders = list.GetProperty("topics").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "orders");
        Assert.Equal("orders", orders.GetProperty("name").GetString());
        Assert.Equal("zstd", orders.GetProperty("compression").GetString());
        Assert.Equal("compact,delete", orders.GetProperty("cleanupPolicy").GetString());
        Assert.Equal(1000, orders.GetProperty("compaction").GetProperty("minCompactionLagMs").GetInt64());
        Assert.Equal(3_600_000, orders.GetProperty("compaction").GetProperty("deleteRetentionMs").GetInt64());
        Assert.Equal(0.5, orders.GetProperty("compaction").GetProperty("minCleanableDirtyRatio").GetDouble());

        JsonElement described = await host.Client.GetFromJsonAsync<JsonElement>("/api/topics/orders");
        Assert.Equal(3, described.GetProperty("offsets").GetArrayLength());
        Assert.All(described.GetProperty("offsets").EnumerateArray(), p => Assert.Equal(0, p.GetProperty("latestOffset").GetInt64()));

        JsonElement health = await host.Client.GetFromJsonAsync<JsonElement>("/api/health");
        Assert.Equal("ok", health.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("{\"name\":\"Bad Name\",\"partitions\":1}", 400, "lower-case")]
    [InlineData("{\"name\":\"ok\",\"partitions\":0}", 400, "Partitions")]
    [InlineData("{\"name\":\"ok\",\"compression\":\"lz9\"}", 400, "compression")]
    [InlineData("{\"name\":", 400, "JSON")]
    [InlineData("", 400, "JSON body is required")]
    public async Task Bad_topic_requests_get_a_problem_body_and_create_nothing(string body, int status, string mention)
    {
        await using LocalHost host = await LocalHost.StartAsync(azurite, nameof(Bad_topic_requests_get_a_problem_body_and_create_nothing));
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        HttpResponseMessage response = await host.Client.PostAsync("/api/topics", content);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        JsonElement problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(mention, problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        JsonElement list = await host.Client.GetFromJsonAsync<JsonElement>("/api/topics");
        // Only the topics the platform creates itself (OTLP and alert history) exist.
        Assert.DoesNotContain(list.GetProperty("topics").EnumerateArray(), t => t.GetProperty("name").GetString() is { } name && !name.StartsWith("otlp.", StringComparison.Ordinal) && name != "alerts");
    }

    [Fact]
    public async Task Duplicates_conflict_and_unknown_topics_are_not_found()
    {
        await using LocalHost host = await LocalHost.StartAsync(azurite, nameof(Duplicates_conflict_and_unknown_topics_are_not_found));
        Assert.Equal(HttpStatusCode.Created, (await host.Client.PostAsJsonAsync("/api/topics", new { name = "t1" })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await host.Client.PostAsJsonAsync("/api/topics", new { name = "t1" })).StatusCode);
        HttpResponseMessage missing = await host.Client.GetAsync("/api/topics/nope");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }
}
