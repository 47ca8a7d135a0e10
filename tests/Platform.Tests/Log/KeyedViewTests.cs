using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.Core.Log;
using Platform.Core.Log.KeyedView;
using Platform.Core.Log.Topics;
using Platform.Core.Storage;
using Platform.Core.Storage.Azure;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Log;

/// <summary>The keyed view of a compacted topic: latest value per key, exactly once, rebuilt when lost, served over HTTP.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class KeyedViewTests(AzuriteFixture azurite)
{
    private static async Task<AzureKeyedViewStore> ViewStoreAsync(AzuriteFixture azurite, string name)
    {
        var table = new Azure.Data.Tables.TableServiceClient(azurite.ConnectionString).GetTableClient("kv" + Math.Abs(name.GetHashCode(StringComparison.Ordinal)) + Guid.NewGuid().ToString("N")[..6]);
        var store = new AzureKeyedViewStore(table);
        await store.EnsureCreatedAsync(default);
        return store;
    }

    private static KeyedViewMaintainer Maintainer(TestEngine engine, IKeyedViewStore store) =>
        new(engine.Topics, engine.Reader, store, TimeProvider.System, NullLogger<KeyedViewMaintainer>.Instance);

    private static async Task<Dictionary<string, string?>> ViewAsync(IKeyedViewStore store, string topic, int partitions)
    {
        var all = new Dictionary<string, string?>();
        for (int p = 0; p < partitions; p++)
        {
            foreach (var e in await store.ListAsync(new TopicPartition(topic, p), [], null, 100_000, default))
                all[Encoding.UTF8.GetString(e.Key)] = e.Value is null ? null : Encoding.UTF8.GetString(e.Value);
        }
        return all;
    }

    [Fact]
    public async Task The_view_holds_each_keys_last_value_once_two_maintainers_race_and_a_lost_view_is_rebuilt_the_same()
    {
        var stores = await StorageSet.AzureAsync(azurite, nameof(The_view_holds_each_keys_last_value_once_two_maintainers_race_and_a_lost_view_is_rebuilt_the_same));
        await using var engine = new TestEngine(stores);
        await engine.Topics.CreateAsync(new TopicConfig { Name = "accounts", Partitions = 2, CleanupPolicy = CleanupPolicy.Compact }, default);
        var expected = new Dictionary<string, string?>();
        for (int round = 0; round < 5; round++)
        {
            // 60 keys a round in one call: a fetch holds more than one transaction's worth of changes.
            var call = Enumerable.Range(0, 60).Select(k => Records.Text($"acct-{k:D3}@{round}", $"acct-{k:D3}")).ToList();
            await engine.Producer.ProduceAsync("accounts", call, default);
            foreach (var k in Enumerable.Range(0, 60)) expected[$"acct-{k:D3}"] = $"acct-{k:D3}@{round}";
        }

        foreach (int k in new[] { 7, 8, 9 })
        {
            await engine.Producer.ProduceAsync("accounts", [new ProduceRecord { Key = Encoding.UTF8.GetBytes($"acct-{k:D3}"), Value = null }], default);
            expected.Remove($"acct-{k:D3}");
        }

        var view = await ViewStoreAsync(azurite, "race");
        // Two maintainers (two instances) at once: each chunk and its position commit together, so neither applies twice.
        await Task.WhenAll(Maintainer(engine, view).CatchUpAllAsync(default), Maintainer(engine, view).CatchUpAllAsync(default));
        await Maintainer(engine, view).CatchUpAllAsync(default);
        Assert.Equal(expected.OrderBy(e => e.Key), (await ViewAsync(view, "accounts", 2)).OrderBy(e => e.Key));
        Assert.All(await Maintainer(engine, view).LagAsync("accounts", default), l => Assert.Equal(0, l.Lag));

        // More writes: the view lags and says so, then catches up.
        await engine.Producer.ProduceAsync("accounts", [Records.Text("new", "acct-001"), Records.Text("brand-new", "zz-new")], default);
        Assert.Equal(2, (await Maintainer(engine, view).LagAsync("accounts", default)).Sum(l => l.Lag));
        await Maintainer(engine, view).CatchUpAllAsync(default);
        expected["acct-001"] = "new";
        expected["zz-new"] = "brand-new";
        Assert.Equal(expected.OrderBy(e => e.Key), (await ViewAsync(view, "accounts", 2)).OrderBy(e => e.Key));

        // Prefix listing, in key order.
        var prefixed = new List<string>();
        for (int p = 0; p < 2; p++) prefixed.AddRange((await view.ListAsync(new TopicPartition("accounts", p), Encoding.UTF8.GetBytes("acct-01"), null, 100, default)).Select(e => Encoding.UTF8.GetString(e.Key)));
        Assert.Equal(Enumerable.Range(10, 10).Select(k => $"acct-{k:D3}"), prefixed.Order(StringComparer.Ordinal));

        // The view lost (a new table): rebuilt from the log's earliest offset, the same.
        var rebuilt = await ViewStoreAsync(azurite, "rebuilt");
        await Maintainer(engine, rebuilt).CatchUpAllAsync(default);
        Assert.Equal(expected.OrderBy(e => e.Key), (await ViewAsync(rebuilt, "accounts", 2)).OrderBy(e => e.Key));
    }

    [Fact]
    public async Task Over_http_a_key_answers_its_latest_value_with_the_views_lag_and_keys_list_by_prefix()
    {
        await using LocalHost host = await LocalHost.StartAsync(azurite, nameof(Over_http_a_key_answers_its_latest_value_with_the_views_lag_and_keys_list_by_prefix));
        (await host.Client.PostAsJsonAsync("/api/topics", new { name = "customers", partitions = 3, cleanupPolicy = "compact" })).EnsureSuccessStatusCode();
        (await host.Client.PostAsJsonAsync("/api/topics", new { name = "plain", partitions = 1 })).EnsureSuccessStatusCode();
        var body = new { records = new object[] { new { key = "c-7", value = new { name = "Ada" } }, new { key = "c-7", value = new { name = "Ada", tier = "gold" } }, new { key = "c-9", value = new { name = "Bob" } }, new { key = "c/10", value = new { name = "Cy" } } } };
        (await host.Client.PostAsJsonAsync("/api/topics/customers/records", body)).EnsureSuccessStatusCode();
        await host.Platform.Services.GetRequiredService<KeyedViewMaintainer>().CatchUpAllAsync(default);

        var c7 = await host.Client.GetFromJsonAsync<JsonElement>("/api/topics/customers/keys/c-7");
        Assert.Equal("gold", c7.GetProperty("value").GetProperty("tier").GetString());
        Assert.Equal("c-7", c7.GetProperty("key").GetString());
        Assert.Equal(0, c7.GetProperty("view").GetProperty("lag").GetInt64());
        var slash = await host.Client.GetFromJsonAsync<JsonElement>("/api/topics/customers/keys/c/10");
        Assert.Equal("Cy", slash.GetProperty("value").GetProperty("name").GetString());

        var missing = await host.Client.GetAsync("/api/topics/customers/keys/nobody");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);

        var listed = await host.Client.GetFromJsonAsync<JsonElement>("/api/topics/customers/keys?prefix=c-&limit=1");
        Assert.Equal(["c-7"], listed.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("key").GetString()));
        string next = listed.GetProperty("next").GetString()!;
        Assert.Equal("c-7", Encoding.UTF8.GetString(Convert.FromBase64String(next)));
        var page2 = await host.Client.GetFromJsonAsync<JsonElement>($"/api/topics/customers/keys?prefix=c-&after={Uri.EscapeDataString(next)}");
        Assert.Equal(["c-9"], page2.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("key").GetString()));

        // A tombstone removes the key once the view catches up; until then the view says it lags.
        (await host.Client.PostAsJsonAsync("/api/topics/customers/records", new { records = new object[] { new { key = "c-9", value = (object?)null } } })).EnsureSuccessStatusCode();
        var lagging = await host.Client.GetFromJsonAsync<JsonElement>("/api/topics/customers/keys/c-9");
        Assert.Equal(1, lagging.GetProperty("view").GetProperty("lag").GetInt64());
        await host.Platform.Services.GetRequiredService<KeyedViewMaintainer>().CatchUpAllAsync(default);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/api/topics/customers/keys/c-9")).StatusCode);

        Assert.Equal(HttpStatusCode.BadRequest, (await host.Client.GetAsync("/api/topics/plain/keys/x")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Client.GetAsync("/api/topics/customers/keys?limit=0")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Client.GetAsync("/api/topics/customers/keys/x?keyFormat=base64")).StatusCode);
    }
}
