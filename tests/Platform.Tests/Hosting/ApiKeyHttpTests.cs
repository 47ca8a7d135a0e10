using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Hosting;

[Collection(AzuriteCollection.Name)]
public sealed class ApiKeyHttpTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Missing_or_wrong_keys_get_401_and_narrow_keys_get_403()
    {
        await using LocalHost host = await LocalHost.StartAsync(azurite, nameof(Missing_or_wrong_keys_get_401_and_narrow_keys_get_403));
        using HttpClient none = host.Anonymous();
        HttpResponseMessage missing = await none.GetAsync("/api/topics");
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal("Bearer", missing.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);

        using HttpClient wrong = host.Anonymous("plk_0000000000000000_nope");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/api/topics")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.PostAsJsonAsync("/api/topics", new { name = "x" })).StatusCode);

        HttpResponseMessage created = await host.Client.PostAsJsonAsync("/api/keys", new { name = "otlp writer", grants = new[] { new { topics = "otlp.*", operations = new[] { "produce" } } } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        JsonElement key = await created.Content.ReadFromJsonAsync<JsonElement>();
        string secret = key.GetProperty("key").GetString()!;
        Assert.StartsWith("plk_", secret, StringComparison.Ordinal);

        using HttpClient narrow = host.Anonymous(secret);
        HttpResponseMessage forbidden = await narrow.PostAsJsonAsync("/api/topics", new { name = "otlp.logs" });
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await narrow.GetAsync("/api/keys")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await narrow.GetAsync("/api/topics/does-not-exist")).StatusCode); // no hint whether it exists
        Assert.Equal(HttpStatusCode.OK, (await narrow.GetAsync("/api/topics")).StatusCode);

        JsonElement list = await host.Client.GetFromJsonAsync<JsonElement>("/api/keys");
        JsonElement listed = list.GetProperty("keys").EnumerateArray().Single();
        Assert.Equal("otlp writer", listed.GetProperty("name").GetString());
        Assert.False(listed.TryGetProperty("key", out _));

        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.DeleteAsync($"/api/keys/{key.GetProperty("id").GetString()}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await narrow.GetAsync("/api/topics")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await none.GetAsync("/api/health")).StatusCode);
    }

    [Fact]
    public async Task Bad_key_requests_are_refused()
    {
        await using LocalHost host = await LocalHost.StartAsync(azurite, nameof(Bad_key_requests_are_refused));
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Client.PostAsJsonAsync("/api/keys", new { name = "x", grants = Array.Empty<object>() })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Client.PostAsJsonAsync("/api/keys", new { name = "x", grants = new[] { new { topics = "a*b", operations = new[] { "produce" } } } })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Client.PostAsJsonAsync("/api/keys", new { name = "x", grants = new[] { new { topics = "*", operations = new[] { "fly" } } } })).StatusCode);
        Assert.Equal(0, (await host.Client.GetFromJsonAsync<JsonElement>("/api/keys")).GetProperty("keys").GetArrayLength());
    }

    [Theory]
    [InlineData("""{"name":"n","grants":[null]}""", "grants[0] must be an object")]
    [InlineData("""{"name":"n","grants":[{"topics":"*","operations":[null]}]}""", "grants[0].operations: 'null' is not one of")]
    [InlineData("""{"name":"n","grants":[{"topics":"team*","operations":["produce"]}]}""", "write 'team.*'")]
    [InlineData("""{"name":"n","grants":[{"topics":"Orders","operations":["produce"]}]}""", "can never match a topic")]
    public async Task A_key_with_a_grant_that_is_malformed_or_could_never_match_is_refused(string body, string expected)
    {
        await using LocalHost host = await LocalHost.StartAsync(azurite, nameof(A_key_with_a_grant_that_is_malformed_or_could_never_match_is_refused));
        HttpResponseMessage response = await host.Client.PostAsync("/api/keys", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_prefix_pattern_covers_its_own_dot_namespace_only()
    {
        var grant = new Platform.Core.Security.TopicGrant("team.*", Platform.Core.Security.ApiOperation.Produce);
        Assert.True(grant.Matches("team.payments"));
        Assert.False(grant.Matches("teamb.payments"));
        Assert.False(grant.Matches("team"));
        Assert.False(new Platform.Core.Security.TopicGrant("team*", Platform.Core.Security.ApiOperation.Produce).Matches("teamb.payments"));
    }

    [Fact]
    public void Dead_letter_topics_take_produce_only_from_a_grant_that_names_them()
    {
        var prefix = new Platform.Core.Security.ApiPrincipal("k", "otlp", [new Platform.Core.Security.TopicGrant("otlp.*", Platform.Core.Security.ApiOperation.Produce | Platform.Core.Security.ApiOperation.Consume)]);
        Assert.True(prefix.Allows(Platform.Core.Security.ApiOperation.Produce, "otlp.logs"));
        Assert.False(prefix.Allows(Platform.Core.Security.ApiOperation.Produce, "otlp.logs.dlq"));
        Assert.True(prefix.Allows(Platform.Core.Security.ApiOperation.Consume, "otlp.logs.dlq")); // reading them is fine
        var named = new Platform.Core.Security.ApiPrincipal("k", "replayer", [new Platform.Core.Security.TopicGrant("otlp.logs.dlq", Platform.Core.Security.ApiOperation.Produce)]);
        Assert.True(named.Allows(Platform.Core.Security.ApiOperation.Produce, "otlp.logs.dlq"));
    }

    [Fact]
    public async Task Nobody_creates_a_dead_letter_topic_but_the_platform()
    {
        await using LocalHost host = await LocalHost.StartAsync(azurite, nameof(Nobody_creates_a_dead_letter_topic_but_the_platform));
        HttpResponseMessage response = await host.Client.PostAsync("/api/topics", new StringContent("""{"name":"orders.dlq","partitions":1}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("the platform creates those itself", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Consumer_groups_are_resources_a_key_needs_a_grant_on_beside_the_topic()
    {
        await using LocalHost host = await LocalHost.StartAsync(azurite, "group-grants");
        Assert.Equal(HttpStatusCode.Created, (await host.Client.PostAsJsonAsync("/api/topics", new { name = "orders", partitions = 1 })).StatusCode);
        HttpResponseMessage created = await host.Client.PostAsJsonAsync("/api/keys", new
        {
            name = "team billing",
            grants = new object[]
            {
                new { topics = "orders", operations = new[] { "consume", "admin" } },
                new { groups = "billing.*", operations = new[] { "consume", "admin" } },
            },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        JsonElement key = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("billing.*", key.GetProperty("grants")[1].GetProperty("groups").GetString());
        using HttpClient billing = host.Anonymous(key.GetProperty("key").GetString());

        // Its own groups: lag and reset. The platform's router group, or anyone else's: 403, whatever the topic grant says.
        Assert.Equal(HttpStatusCode.OK, (await billing.GetAsync("/api/groups/billing.invoices/topics/orders")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await billing.PostAsJsonAsync("/api/groups/billing.invoices/topics/orders/reset", new { to = "earliest" })).StatusCode);
        HttpResponseMessage foreign = await billing.PostAsJsonAsync("/api/groups/elasticsearch/topics/orders/reset", new { to = "latest" });
        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.Contains("consumer group 'elasticsearch'", await foreign.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await billing.GetAsync("/api/groups/billingx/topics/orders")).StatusCode);

        // A group grant alone is not a topic grant.
        HttpResponseMessage groupOnly = await host.Client.PostAsJsonAsync("/api/keys", new { name = "g", grants = new[] { new { groups = "*", operations = new[] { "admin" } } } });
        using HttpClient groupKey = host.Anonymous((await groupOnly.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await groupKey.PostAsJsonAsync("/api/groups/any/topics/orders/reset", new { to = "latest" })).StatusCode);
    }

    [Theory]
    [InlineData("""{"name":"n","grants":[{"groups":"*","operations":["produce"]}]}""", "groups take consume and admin")]
    [InlineData("""{"name":"n","grants":[{"topics":"*","groups":"*","operations":["consume"]}]}""", "names both topics and groups")]
    [InlineData("""{"name":"n","grants":[{"groups":"a#b","operations":["consume"]}]}""", "can never match a group")]
    [InlineData("""{"name":"n","grants":[{"groups":"team*","operations":["consume"]}]}""", "would be ambiguous")]
    public async Task A_group_grant_that_is_malformed_is_refused(string body, string expected)
    {
        await using LocalHost host = await LocalHost.StartAsync(azurite, "bad-group-grant");
        HttpResponseMessage response = await host.Client.PostAsync("/api/keys", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
