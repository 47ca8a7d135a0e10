using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Hosting;

/// <summary>The live tail as server-sent events: records as they arrive, resumed after a dropped connection with Last-Event-ID, each once; keep-alives; bad positions refused.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class StreamTests(AzuriteFixture azurite)
{
    private sealed record Event(string? Id, string? Name, string? Data, bool KeepAlive);

    /// <summary>Reads events (and keep-alive comments) from an open stream.</summary>
    private sealed class EventReader(StreamReader reader)
    {
        public async Task<Event> NextAsync(CancellationToken cancellationToken)
        {
            string? id = null, name = null, data = null;
            var keepAlive = false;
            while (true)
            {
                var line = await reader.ReadLineAsync(cancellationToken) ?? throw new EndOfStreamException();
                if (line.Length == 0)
                {
                    if (id is not null || name is not null || data is not null || keepAlive) return new Event(id, name, data, keepAlive);
                    continue;
                }
                if (line.StartsWith(": keep-alive", StringComparison.Ordinal)) keepAlive = true;
                if (line.StartsWith(':')) continue;
                if (line.StartsWith("id: ", StringComparison.Ordinal)) id = line[4..];
                else if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line[7..];
                else if (line.StartsWith("data: ", StringComparison.Ordinal)) data = line[6..];
            }
        }

        public async Task<List<Event>> RecordsAsync(int count, CancellationToken cancellationToken)
        {
            var events = new List<Event>();
            while (events.Count < count)
            {
                var e = await NextAsync(cancellationToken);
                if (e.Name == "record") events.Add(e);
            }
            return events;
        }
    }

    private static async Task<(HttpResponseMessage Response, EventReader Reader)> OpenAsync(HttpClient client, string url, string? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return (response, new EventReader(new StreamReader(await response.Content.ReadAsStreamAsync())));
    }

    private static async Task ProduceAsync(HttpClient client, string topic, IEnumerable<string> values)
    {
        var records = values.Select(v => new { key = v, value = v }).ToArray();
        (await client.PostAsJsonAsync($"api/topics/{topic}/records", new { records })).EnsureSuccessStatusCode();
    }

    private static string Value(Event e) => JsonDocument.Parse(e.Data!).RootElement.GetProperty("value").GetString()!;

    [Fact]
    public async Task Records_arrive_live_and_a_reconnect_with_last_event_id_resumes_every_partition_without_loss_or_duplicates()
    {
        await using var host = await LocalHost.StartAsync(azurite, "stream-resume");
        (await host.Client.PostAsJsonAsync("api/topics", new { name = "tail", partitions = 3 })).EnsureSuccessStatusCode();
        await ProduceAsync(host.Client, "tail", Enumerable.Range(0, 6).Select(i => $"r{i}"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var seen = new List<string>();
        string lastId;
        var (first, reader) = await OpenAsync(host.Client, "api/topics/tail/stream?from=earliest");
        using (first)
        {
            seen.AddRange((await reader.RecordsAsync(6, timeout.Token)).Select(Value));
            // Produced while connected: they arrive as they are appended.
            await ProduceAsync(host.Client, "tail", Enumerable.Range(6, 4).Select(i => $"r{i}"));
            var live = await reader.RecordsAsync(2, timeout.Token);
            seen.AddRange(live.Select(Value));
            lastId = live[^1].Id!;
        }

        // Dropped after 8 of 10; more produced while away; a reconnect from the last id gets the rest, once each.
        await ProduceAsync(host.Client, "tail", Enumerable.Range(10, 3).Select(i => $"r{i}"));
        var (second, resumed) = await OpenAsync(host.Client, "api/topics/tail/stream", lastId);
        using (second)
        {
            seen.AddRange((await resumed.RecordsAsync(5, timeout.Token)).Select(Value));
        }
        Assert.Equal(Enumerable.Range(0, 13).Select(i => $"r{i}").Order(), seen.Order());
    }

    [Fact]
    public async Task Within_a_partition_records_come_in_offset_order_and_closed_streams_give_their_slot_back()
    {
        await using var host = await LocalHost.StartAsync(azurite, "stream-order");
        (await host.Client.PostAsJsonAsync("api/topics", new { name = "ordered", partitions = 2 })).EnsureSuccessStatusCode();
        await ProduceAsync(host.Client, "ordered", Enumerable.Range(0, 30).Select(i => $"o{i % 5}-{i}"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var (response, reader) = await OpenAsync(host.Client, "api/topics/ordered/stream?from=earliest");
        using (response)
        {
            var events = await reader.RecordsAsync(30, timeout.Token);
            foreach (var partition in events.Select(e => JsonDocument.Parse(e.Data!).RootElement).GroupBy(r => r.GetProperty("partition").GetInt32()))
            {
                var offsets = partition.Select(r => r.GetProperty("offset").GetInt64()).ToList();
                Assert.Equal(Enumerable.Range(0, offsets.Count).Select(i => (long)i), offsets);
            }
        }

        // Opened and closed more times than one key may hold at once: every slot comes back.
        for (var i = 0; i < 12; i++)
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (true)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "api/topics/ordered/stream");
                using var opened = await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                if (opened.StatusCode == HttpStatusCode.OK) break;
                Assert.Equal(HttpStatusCode.TooManyRequests, opened.StatusCode);
                Assert.True(DateTime.UtcNow < deadline, $"stream {i}: a closed stream's slot never came back");
                await Task.Delay(200, timeout.Token);
            }
        }
    }

    [Fact]
    public async Task A_quiet_stream_sends_keep_alives_and_bad_positions_or_no_key_are_refused()
    {
        await using var host = await LocalHost.StartAsync(azurite, "stream-quiet");
        (await host.Client.PostAsJsonAsync("api/topics", new { name = "quiet", partitions = 2 })).EnsureSuccessStatusCode();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (response, reader) = await OpenAsync(host.Client, "api/topics/quiet/stream?heartbeatMs=1000");
        using (response)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            // The position comes first (an id with no data), then a keep-alive about every second.
            var first = await reader.NextAsync(timeout.Token);
            Assert.Equal("0:0,1:0", first.Id);
            Assert.True((await reader.NextAsync(timeout.Token)).KeepAlive);
            Assert.True((await reader.NextAsync(timeout.Token)).KeepAlive);
            Assert.InRange(watch.Elapsed.TotalSeconds, 1.5, 10);
        }

        foreach (var (url, lastId) in new (string, string?)[]
        {
            ("api/topics/quiet/stream?partition=2", null),
            ("api/topics/quiet/stream?from=yesterday", null),
            ("api/topics/quiet/stream?format=xml", null),
            ("api/topics/quiet/stream", "0:x"),
            ("api/topics/quiet/stream", "7:1"),
            ("api/topics/quiet/stream", "0:0"),
            ("api/topics/quiet/stream?partition=1", "0:0"),
            ("api/topics/quiet/stream", "0:5,1:0"),
        })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (lastId is not null) request.Headers.Add("Last-Event-ID", lastId);
            using var refused = await host.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }
        using var anonymous = host.Anonymous();
        using var noKey = await anonymous.GetAsync("api/topics/quiet/stream");
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
        using var missing = await host.Client.GetAsync("api/topics/nope/stream");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}
