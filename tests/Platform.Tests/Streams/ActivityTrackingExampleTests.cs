using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Platform.Core.Log.KeyedView;
using Platform.Core.Streams.Running;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Streams;

/// <summary>
/// The example of docs/stream-jobs.md, end to end on the local host over Azurite: page views from HTTP and from a
/// browser beacon; views per page per minute into a topic and the results table; views re-keyed by user, joined with a
/// compacted users topic for the country, and counted per country per minute. Jobs are managed over the HTTP API.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ActivityTrackingExampleTests(AzuriteFixture azurite)
{
    private const string PageViews = """
        from: views
        steps:
          - window:
              tumbling: 60s
              time: ts
              grace: 10s
              aggregate:
                views: count
                users: {distinct: user}
          - to: views-per-minute
        results: true
        """;

    private const string ByUser = """{"from":"views","steps":[{"rekey":"user"},{"to":"views-by-user"}]}""";

    private const string ByCountry = """
        from: views-by-user
        steps:
          - join: {table: users, as: profile}
          - map: "{user: user, page: page, ts: ts, country: profile.country}"
          - rekey: country
          - to: views-by-country
        """;

    private const string CountryPerMinute = """
        from: views-by-country
        steps:
          - window: {tumbling: 60s, time: ts, grace: 10s, aggregate: {views: count}}
          - to: country-per-minute
        results: true
        """;

    [Fact]
    public async Task Page_views_become_counts_per_page_and_per_country_per_minute_in_topics_and_tables()
    {
        await using LocalHost host = await LocalHost.StartAsync(azurite, nameof(Page_views_become_counts_per_page_and_per_country_per_minute_in_topics_and_tables),
            ("Platform:Ingest:BeaconOrigins:0", "https://shop.example"));
        HttpClient api = host.Client;
        foreach ((string name, int partitions, string? cleanup) in new[] { ("views", 1, (string?)null), ("views-per-minute", 1, null), ("views-by-user", 2, null), ("users", 2, "compact"), ("views-by-country", 1, null), ("country-per-minute", 1, null) })
        {
            var body = new Dictionary<string, object?> { ["name"] = name, ["partitions"] = partitions };
            if (cleanup is not null) body["cleanupPolicy"] = cleanup;
            Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync("/api/topics", body)).StatusCode);
        }

        // A job that cannot run is refused at upload with the reason; a good one is created once.
        HttpResponseMessage bad = await Put(api, "broken", "from: views\nsteps:\n  - rekey: user\n  - window: {tumbling: 60s, aggregate: {n: count}}\n  - to: views-per-minute\n");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("two-stage topology", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await Put(api, "nowhere", "from: views\nsteps:\n  - to: missing\n")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Put(api, "page-views", PageViews)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Put(api, "page-views", PageViews)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await Put(api, "page-views", PageViews.Replace("60s", "30s", StringComparison.Ordinal))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Put(api, "views-by-user", ByUser, "application/json")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Put(api, "views-by-country", ByCountry)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Put(api, "country-per-minute", CountryPerMinute)).StatusCode);

        // The table: users and their country, in a compacted topic's keyed view.
        var users = new { records = new[] { new { key = "zoe", value = (object)new { country = "NL" } }, new { key = "ann", value = (object)new { country = "FR" } }, new { key = "bob", value = (object)new { country = "NL" } } } };
        Assert.True((await api.PostAsJsonAsync("/api/topics/users/records", users)).IsSuccessStatusCode);
        await CatchUpViewAsync(host, "users");

        // Page views: over the records API, keyed by page, and from a browser's beacon (text/plain JSON, key in the query).
        string produceKey = await CreateKeyAsync(api);
        var viaApi = new[] { ("/home", "zoe", 1), ("/home", "ann", 5), ("/cart", "zoe", 20), ("/home", "bob", 61) };
        Assert.True((await api.PostAsJsonAsync("/api/topics/views/records", new { records = viaApi.Select(v => new { key = v.Item1, value = new { page = v.Item1, user = v.Item2, ts = v.Item3 * 1000 } }) })).IsSuccessStatusCode);
        using (var beacon = new HttpRequestMessage(HttpMethod.Post, $"/api/beacon/views?key={produceKey}&keyField=page") { Content = new StringContent("""[{"page":"/home","user":"ann","ts":30000},{"page":"/cart","user":"bob","ts":62000}]""", Encoding.UTF8, "text/plain") })
        {
            beacon.Headers.Add("Origin", "https://shop.example");
            HttpResponseMessage sent = await host.Anonymous().SendAsync(beacon);
            Assert.Equal(HttpStatusCode.NoContent, sent.StatusCode);
            Assert.Equal("https://shop.example", sent.Headers.GetValues("Access-Control-Allow-Origin").Single());
        }

        using (var elsewhere = new HttpRequestMessage(HttpMethod.Post, $"/api/beacon/views?key={produceKey}") { Content = new StringContent("""{"page":"/x"}""", Encoding.UTF8, "text/plain") })
        {
            elsewhere.Headers.Add("Origin", "https://evil.example");
            Assert.Equal(HttpStatusCode.Forbidden, (await host.Anonymous().SendAsync(elsewhere)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Anonymous().PostAsync("/api/beacon/views", new StringContent("{}", Encoding.UTF8, "text/plain"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Anonymous().PostAsync($"/api/beacon/views?key={produceKey}", new StringContent("not json", Encoding.UTF8, "text/plain"))).StatusCode);
        string tooMany = "[" + string.Join(',', Enumerable.Repeat("""{"page":"/"}""", 101)) + "]";
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Anonymous().PostAsync($"/api/beacon/views?key={produceKey}", new StringContent(tooMany, Encoding.UTF8, "text/plain"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Anonymous().PostAsync($"/api/beacon/views?key={produceKey}&keyField=page", new StringContent("""{"user":"x"}""", Encoding.UTF8, "text/plain"))).StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await host.Anonymous().PostAsync($"/api/beacon/views?key={produceKey}", new StringContent("""{"page":"/"}""", Encoding.UTF8, "application/xml"))).StatusCode);

        await RunJobsAsync(host);
        // A view far ahead (a user in the table, so that it reaches every stage) closes minute 0 and minute 1 everywhere.
        Assert.True((await api.PostAsJsonAsync("/api/topics/views/records", new { records = new[] { new { key = "/home", value = new { page = "/home", user = "zoe", ts = 900_000 } } } })).IsSuccessStatusCode);
        await RunJobsAsync(host);

        JsonElement perPage = await api.GetFromJsonAsync<JsonElement>("/api/jobs/page-views/results?key=/home");
        Assert.Equal([(0L, 3L, 2L), (60_000L, 1L, 1L)], perPage.GetProperty("results").EnumerateArray().Select(r => (r.GetProperty("start").GetInt64(), r.GetProperty("views").GetInt64(), r.GetProperty("users").GetInt64())));
        var topic = await api.GetFromJsonAsync<JsonElement>("/api/topics/views-per-minute/partitions/0/records?offset=0&format=json");
        Assert.Equal(4, topic.GetProperty("records").GetArrayLength()); // /home and /cart, minutes 0 and 1

        JsonElement perCountry = await api.GetFromJsonAsync<JsonElement>("/api/jobs/country-per-minute/results?from=0&to=120000");
        var counts = perCountry.GetProperty("results").EnumerateArray().ToDictionary(r => (r.GetProperty("key").GetString()!, r.GetProperty("start").GetInt64()), r => r.GetProperty("views").GetInt64());
        Assert.Equal(new Dictionary<(string, long), long> { [("NL", 0)] = 2, [("FR", 0)] = 2, [("NL", 60_000)] = 2 }, counts);

        // Describe, list, pause and resume, reset, delete.
        JsonElement described = await api.GetFromJsonAsync<JsonElement>("/api/jobs/page-views");
        Assert.Equal(0, described.GetProperty("lag").GetInt64());
        Assert.Equal(7, described.GetProperty("processed").GetInt64()); // four over the API, two by beacon, the closing one
        Assert.Equal("running", described.GetProperty("state").GetString());
        Assert.Equal(4, (await api.GetFromJsonAsync<JsonElement>("/api/jobs")).GetProperty("jobs").GetArrayLength());
        Assert.Equal("paused", (await (await api.PostAsync("/api/jobs/page-views/pause", null)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());
        Assert.True((await api.PostAsync("/api/jobs/page-views/resume", null)).IsSuccessStatusCode);
        Assert.True((await api.PostAsJsonAsync("/api/jobs/page-views/reset", new { to = "latest" })).IsSuccessStatusCode);
        Assert.Empty((await api.GetFromJsonAsync<JsonElement>("/api/jobs/page-views/results")).GetProperty("results").EnumerateArray());
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync("/api/jobs/page-views")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/api/jobs/page-views")).StatusCode);
    }

    [Fact]
    public async Task Window_results_become_prometheus_series_that_promql_reads()
    {
        await using LocalHost host = await LocalHost.StartAsync(azurite, nameof(Window_results_become_prometheus_series_that_promql_reads));
        HttpClient api = host.Client;
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync("/api/topics", new { name = "visits" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Put(api, "visit-metrics",
            "from: visits\nsteps:\n  - window: {tumbling: 60s, time: ts, aggregate: {views: count}}\n  - metrics: {name: page_visits, label: page}\n")).StatusCode);
        long minute = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 60_000 * 60_000) - 180_000;
        var visits = new[] { ("/home", minute + 1_000), ("/home", minute + 2_000), ("/cart", minute + 3_000), ("/home", minute + 120_000) };
        Assert.True((await api.PostAsJsonAsync("/api/topics/visits/records", new { records = visits.Select(v => new { key = v.Item1, value = new { page = v.Item1, ts = v.Item2 } }) })).IsSuccessStatusCode);
        await RunJobsAsync(host);

        // The metrics pipeline takes the OTLP records up on its own (woken by the append); the value is at the window's end.
        string query = $"/api/prometheus/api/v1/query?query={Uri.EscapeDataString("page_visits_views{page=\"/home\",job=\"visit-metrics\"}")}&time={(minute + 60_000) / 1000}";
        string? value = null;
        for (int i = 0; i < 100 && value is null; i++)
        {
            JsonElement answer = await api.GetFromJsonAsync<JsonElement>(query);
            JsonElement result = answer.GetProperty("data").GetProperty("result");
            value = result.GetArrayLength() > 0 ? result[0].GetProperty("value")[1].GetString() : null;
            if (value is null) await Task.Delay(200);
        }

        Assert.Equal("2", value);
    }

    private static async Task RunJobsAsync(LocalHost host)
    {
        StreamJobRunner runner = host.Platform.Services.GetRequiredService<StreamJobRunner>();
        StreamJobCatalog catalog = host.Platform.Services.GetRequiredService<StreamJobCatalog>();
        for (int round = 0; round < 20; round++)
        {
            await runner.RunAllAsync(default);
            bool done = true;
            foreach (CatalogJob job in await catalog.ListAsync(default))
            {
                if ((await catalog.StatusAsync(job.Job, default)).Any(s => s.Lag > 0)) done = false;
            }

            if (done) return;
            await Task.Delay(100); // a run that failed a partition (a claim still held, storage busy) leaves it to the next, as on the timer
        }

        throw new TimeoutException("The jobs did not catch up.");
    }

    // A catch-up run is best effort (a partition that fails is left to the next run, as on the timer), so the test
    // runs until the view is at the log's end: the join reads it.
    private static async Task CatchUpViewAsync(LocalHost host, string topic)
    {
        KeyedViewMaintainer maintainer = host.Platform.Services.GetRequiredService<KeyedViewMaintainer>();
        for (int round = 0; round < 50; round++)
        {
            await maintainer.CatchUpAllAsync(default);
            if ((await maintainer.LagAsync(topic, default)).All(l => l.ViewOffset >= l.LogEndOffset))
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The keyed view of {topic} did not catch up.");
    }

    private static async Task<string> CreateKeyAsync(HttpClient api)
    {
        HttpResponseMessage created = await api.PostAsJsonAsync("/api/keys", new { name = "shop beacon", grants = new[] { new { topics = "views", operations = new[] { "produce" } } } });
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
    }

    private static Task<HttpResponseMessage> Put(HttpClient api, string name, string definition, string type = "application/yaml") =>
        api.PutAsync($"/api/jobs/{name}", new StringContent(definition, Encoding.UTF8, type));
}
