using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Hosting;

/// <summary>The records API over real HTTP on the local host.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class RecordsHttpTests(AzuriteFixture azurite)
{
    private static async Task<LocalHost> StartWithTopicAsync(AzuriteFixture azurite, string test, int partitions = 1, params (string, string)[] settings)
    {
        LocalHost host = await LocalHost.StartAsync(azurite, test, settings);
        (await host.Client.PostAsJsonAsync("/api/topics", new { name = "events", partitions })).EnsureSuccessStatusCode();
        return host;
    }

    private static StringContent Body(string text, string mediaType) => new(text, Encoding.UTF8, mediaType);

    private static async Task<JsonElement> ConsumeAsync(LocalHost host, string query, int partition = 0) =>
        await host.Client.GetFromJsonAsync<JsonElement>($"/api/topics/events/partitions/{partition}/records?{query}");

    [Fact]
    public async Task Json_ndjson_and_raw_bodies_are_produced_and_consumed_back()
    {
        await using LocalHost host = await StartWithTopicAsync(azurite, nameof(Json_ndjson_and_raw_bodies_are_produced_and_consumed_back));
        HttpResponseMessage one = await host.Client.PostAsync("/api/topics/events/records", Body("""{"key":"user-1","value":{"clicked":true},"headers":{"source":"web"},"timestamp":1700000000000}""", "application/json"));
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        JsonElement ack = await one.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, ack.GetProperty("records")[0].GetProperty("offset").GetInt64());

        await host.Client.PostAsync("/api/topics/events/records", Body("""{"records":[{"value":"plain text"},{"valueBase64":"AAEC/w=="}]}""", "application/json"));
        await host.Client.PostAsync("/api/topics/events/records", Body("{\"value\":1}\n\n{\"value\":[2]}\n", "application/x-ndjson"));
        using var raw = new ByteArrayContent([0xde, 0xad]);
        raw.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        JsonElement rawAck = await (await host.Client.PostAsync("/api/topics/events/records?key=k9", raw)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(5, rawAck.GetProperty("records")[0].GetProperty("offset").GetInt64());

        JsonElement page = await ConsumeAsync(host, "offset=0&format=json");
        JsonElement[] records = [.. page.GetProperty("records").EnumerateArray()];
        Assert.Equal(6, records.Length);
        Assert.Equal("user-1", records[0].GetProperty("key").GetString());
        Assert.True(records[0].GetProperty("value").GetProperty("clicked").GetBoolean());
        Assert.Equal(1700000000000, records[0].GetProperty("timestamp").GetInt64());
        Assert.Equal("web", records[0].GetProperty("headers")[0].GetProperty("value").GetString());
        Assert.Equal("plain text", records[1].GetProperty("value").GetString());
        Assert.Equal("AAEC/w==", records[2].GetProperty("valueBase64").GetString());
        Assert.Equal(1, records[3].GetProperty("value").GetInt32());
        Assert.Equal("k9", records[5].GetProperty("key").GetString());
        Assert.Equal(6, page.GetProperty("nextOffset").GetInt64());
        Assert.Equal(6, page.GetProperty("logEndOffset").GetInt64());

        JsonElement limited = await ConsumeAsync(host, "offset=2&maxRecords=2&format=base64");
        Assert.Equal([2L, 3L], limited.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("offset").GetInt64()));
        Assert.Equal(4, limited.GetProperty("nextOffset").GetInt64());
        Assert.Equal(6, (await ConsumeAsync(host, "offset=latest")).GetProperty("nextOffset").GetInt64());
    }

    [Fact]
    public async Task A_gzip_body_is_accepted()
    {
        await using LocalHost host = await StartWithTopicAsync(azurite, nameof(A_gzip_body_is_accepted));
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write("""[{"value":"a"},{"value":"b"}]"""u8);
        }

        using var content = new ByteArrayContent(compressed.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.ContentEncoding.Add("gzip");
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsync("/api/topics/events/records", content)).StatusCode);
        Assert.Equal(2, (await ConsumeAsync(host, "offset=0")).GetProperty("records").GetArrayLength());
    }

    [Fact]
    public async Task A_retried_request_with_the_same_idempotency_key_returns_the_same_offsets_once()
    {
        await using LocalHost host = await StartWithTopicAsync(azurite, nameof(A_retried_request_with_the_same_idempotency_key_returns_the_same_offsets_once), partitions: 3);
        async Task<(HttpResponseMessage Response, string Body)> SendAsync(string key, string body)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/topics/events/records") { Content = Body(body, "application/json") };
            request.Headers.Add("Idempotency-Key", key);
            HttpResponseMessage response = await host.Client.SendAsync(request);
            return (response, await response.Content.ReadAsStringAsync());
        }

        string batch = """[{"value":"a"},{"key":"user-7","value":"b"},{"value":"c"}]""";
        var first = await SendAsync("order-42", batch);
        var retry = await SendAsync("order-42", batch);
        Assert.Equal(HttpStatusCode.OK, first.Response.StatusCode);
        Assert.Equal(first.Body, retry.Body);
        Assert.False(first.Response.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal("true", retry.Response.Headers.GetValues("Idempotent-Replayed").Single());
        var other = await SendAsync("order-43", batch);
        Assert.NotEqual(first.Body, other.Body);

        var reused = await SendAsync("order-42", """[{"value":"different"}]""");
        Assert.Equal(HttpStatusCode.Conflict, reused.Response.StatusCode);

        int total = 0;
        for (int p = 0; p < 3; p++)
        {
            total += (await ConsumeAsync(host, "offset=0", p)).GetProperty("records").GetArrayLength();
        }

        Assert.Equal(6, total);
    }

    [Fact]
    public async Task A_long_poll_returns_as_soon_as_a_record_arrives_and_seek_by_time_works()
    {
        await using LocalHost host = await StartWithTopicAsync(azurite, nameof(A_long_poll_returns_as_soon_as_a_record_arrives_and_seek_by_time_works));
        var clock = Stopwatch.StartNew();
        Task<JsonElement> waiting = ConsumeAsync(host, "offset=0&waitMs=10000");
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted);
        long before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await host.Client.PostAsync("/api/topics/events/records", Body("""{"value":"hello"}""", "application/json"));
        JsonElement page = await waiting;
        Assert.Equal("hello", page.GetProperty("records")[0].GetProperty("value").GetString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"long poll took {clock.Elapsed}");

        Assert.Equal(0, (await ConsumeAsync(host, $"timestamp={before - 60_000}")).GetProperty("records")[0].GetProperty("offset").GetInt64());
        JsonElement none = await ConsumeAsync(host, $"timestamp={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O"))}");
        Assert.Equal(0, none.GetProperty("records").GetArrayLength());
        Assert.Equal(1, none.GetProperty("nextOffset").GetInt64());
    }

    [Theory]
    [InlineData("application/json", "{\"value\":", 400)]
    [InlineData("application/json", "42", 400)]
    [InlineData("application/json", "[]", 400)]
    [InlineData("application/json", "[{\"value\":\"a\",\"partition\":5}]", 400)]
    [InlineData("application/json", "[{\"value\":\"a\"},{\"key\":3}]", 400)]
    [InlineData("application/json", "[{\"valueBase64\":\"***\"}]", 400)]
    [InlineData("application/x-ndjson", "{\"value\":1}\nnot json\n", 400)]
    [InlineData("application/xml", "<a/>", 415)]
    public async Task Bad_produce_requests_get_a_problem_and_append_nothing(string mediaType, string body, int status)
    {
        await using LocalHost host = await StartWithTopicAsync(azurite, nameof(Bad_produce_requests_get_a_problem_and_append_nothing));
        HttpResponseMessage response = await host.Client.PostAsync("/api/topics/events/records", Body(body, mediaType));
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, (await ConsumeAsync(host, "offset=0")).GetProperty("logEndOffset").GetInt64());
    }

    [Fact]
    public async Task Limits_answer_413_and_unknown_topics_404()
    {
        await using LocalHost host = await StartWithTopicAsync(azurite, nameof(Limits_answer_413_and_unknown_topics_404), 1,
            ("Platform:Ingest:MaxRequestBytes", "2048"), ("Platform:Ingest:MaxRecordsPerRequest", "3"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await host.Client.PostAsync("/api/topics/events/records", Body($"{{\"value\":\"{new string('x', 3000)}\"}}", "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await host.Client.PostAsync("/api/topics/events/records", Body("[{},{},{},{}]", "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.PostAsync("/api/topics/nope/records", Body("{\"value\":1}", "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, (await host.Client.GetAsync("/api/topics/events/partitions/0/records?offset=99")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Client.GetAsync("/api/topics/events/partitions/7/records")).StatusCode);
        Assert.Equal(0, (await ConsumeAsync(host, "offset=0")).GetProperty("logEndOffset").GetInt64());
    }

    [Fact]
    public async Task Storage_failing_for_one_partition_answers_503_with_what_landed_per_record()
    {
        Platform.Tests.Fixtures.ScriptedSegmentStore? scripted = null;
        await using LocalHost host = await LocalHost.StartAsync(azurite, nameof(Storage_failing_for_one_partition_answers_503_with_what_landed_per_record), builder =>
            builder.Services.AddSingleton<Platform.Core.Storage.ISegmentStore>(sp => scripted = new Platform.Tests.Fixtures.ScriptedSegmentStore(sp.GetRequiredService<Platform.Core.Storage.Azure.PlacedSegmentStore>())));
        (await host.Client.PostAsJsonAsync("/api/topics", new { name = "events", partitions = 2 })).EnsureSuccessStatusCode();
        (await host.Client.PostAsync("/api/topics/events/records", Body("""[{"value":"warm","partition":0},{"value":"warm","partition":1}]""", "application/json"))).EnsureSuccessStatusCode();
        scripted!.BeforeAppend = (tp, _) => tp.Partition == 1 ? throw new Azure.RequestFailedException(403, "This request is not authorized to perform this operation.") : Task.CompletedTask;

        HttpResponseMessage response = await host.Client.PostAsync("/api/topics/events/records", Body("""[{"value":"a","partition":0},{"value":"b","partition":1},{"value":"c","partition":0}]""", "application/json"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(response.Headers.RetryAfter);
        JsonElement records = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("records");
        Assert.Equal(1, records[0].GetProperty("offset").GetInt64());
        Assert.Contains("not authorized", records[1].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, records[2].GetProperty("offset").GetInt64());
        Assert.Equal(["warm", "a", "c"], (await ConsumeAsync(host, "offset=0")).GetProperty("records").EnumerateArray().Select(r => r.GetProperty("value").GetString()));
    }

    [Fact]
    public async Task Bodies_past_kestrels_30_MB_default_reach_the_platforms_own_limits_and_a_partition_that_is_not_a_number_is_a_400()
    {
        await using LocalHost host = await StartWithTopicAsync(azurite, nameof(Bodies_past_kestrels_30_MB_default_reach_the_platforms_own_limits_and_a_partition_that_is_not_a_number_is_a_400), 1,
            ("Platform:Ingest:MaxRequestBytes", (64 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        using var big = new ByteArrayContent(new byte[35 * 1000 * 1000]);
        big.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        HttpResponseMessage response = await host.Client.PostAsync("/api/topics/events/records", big);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode); // the platform's answer (a 1 MiB record limit), not Kestrel's
        Assert.Contains("accepts at most", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.BadRequest, (await host.Client.GetAsync("/api/topics/events/partitions/zero/records")).StatusCode);
        HttpResponseMessage overflow = await host.Client.GetAsync("/api/topics/events/partitions/99999999999/records");
        Assert.Equal(HttpStatusCode.BadRequest, overflow.StatusCode); // not a 500, and it names the field
        Assert.Contains("partition '99999999999'", await overflow.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"value":"x","partition":"0"}""", "partition must be an integer")]
    [InlineData("""{"valueBase64":5}""", "valueBase64 must be a base64 string")]
    [InlineData("""{"keyBase64":true,"value":"x"}""", "keyBase64 must be a base64 string")]
    public async Task A_field_of_the_wrong_type_is_a_400_that_names_it(string body, string expected)
    {
        await using LocalHost host = await StartWithTopicAsync(azurite, nameof(A_field_of_the_wrong_type_is_a_400_that_names_it));
        HttpResponseMessage response = await host.Client.PostAsync("/api/topics/events/records", Body(body, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty((await ConsumeAsync(host, "offset=0")).GetProperty("records").EnumerateArray());
    }

    [Fact]
    public async Task An_idempotency_key_is_bound_to_its_body_and_scoped_to_the_api_key()
    {
        await using LocalHost host = await StartWithTopicAsync(azurite, nameof(An_idempotency_key_is_bound_to_its_body_and_scoped_to_the_api_key));
        async Task<HttpResponseMessage> PostAsync(HttpClient client, string body)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/topics/events/records") { Content = Body(body, "application/json") };
            request.Headers.Add("Idempotency-Key", "k1");
            return await client.SendAsync(request);
        }

        Assert.Equal(HttpStatusCode.OK, (await PostAsync(host.Client, """{"value":"first"}""")).StatusCode);
        HttpResponseMessage other = await PostAsync(host.Client, """{"value":"second"}""");
        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode); // never a replay of the first's offsets with the second's record dropped
        Assert.Contains("used before for a different request", await other.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        HttpResponseMessage replay = await PostAsync(host.Client, """{"value":"first"}""");
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());

        // Another API key's k1 is its own.
        HttpResponseMessage created = await host.Client.PostAsync("/api/keys", Body("""{"name":"other","grants":[{"topics":"*","operations":["produce","consume"]}]}""", "application/json"));
        string otherKey = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
        using HttpClient otherClient = host.Anonymous(otherKey);
        HttpResponseMessage theirs = await PostAsync(otherClient, """{"value":"second"}""");
        Assert.Equal(HttpStatusCode.OK, theirs.StatusCode);
        Assert.False(theirs.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(["first", "second"], (await ConsumeAsync(host, "offset=0")).GetProperty("records").EnumerateArray().Select(r => r.GetProperty("value").GetString()));
    }

    [Fact]
    public async Task A_group_name_storage_would_refuse_is_a_400()
    {
        await using LocalHost host = await StartWithTopicAsync(azurite, nameof(A_group_name_storage_would_refuse_is_a_400));
        HttpResponseMessage response = await host.Client.PostAsync("/api/groups/a%23b/topics/events/reset", Body("""{"to":"earliest"}""", "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("may not contain", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
