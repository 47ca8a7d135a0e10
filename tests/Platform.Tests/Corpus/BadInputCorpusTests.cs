using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Corpus;

/// <summary>
/// Every route and media type held to one rule over a generated corpus of bad requests: a 4xx whose body says what is
/// wrong (a problem+json detail, or a google.rpc.Status message on the OTLP routes), never a 5xx, and nothing changed:
/// no partition end moves, no topic, key or group offset appears.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class BadInputCorpusTests(AzuriteFixture azurite, Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task Every_bad_request_on_every_route_is_a_4xx_that_says_what_is_wrong_and_changes_nothing()
    {
        await using LocalHost host = await LocalHost.StartAsync(azurite, "bad-input-corpus");
        (await host.Client.PostAsJsonAsync("/api/topics", new { name = BadInputCorpus.Topic, partitions = BadInputCorpus.Partitions })).EnsureSuccessStatusCode();
        (await host.Client.PostAsJsonAsync("/api/topics", new { name = BadInputCorpus.CompactedTopic, partitions = 1, cleanupPolicy = "compact" })).EnsureSuccessStatusCode();
        using (var job = new StringContent(BadInputCorpus.JobSeed, Encoding.UTF8, "application/yaml"))
        {
            (await host.Client.PutAsync($"/api/jobs/{BadInputCorpus.Job}", job)).EnsureSuccessStatusCode();
        }

        string before = await StateAsync(host);
        List<BadInputCase> cases = [.. BadInputCorpus.All()];

        var failures = new List<string>();
        var tally = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (BadInputCase c in cases)
        {
            tally[c.Class] = tally.GetValueOrDefault(c.Class) + 1;
            try
            {
                if (await CheckAsync(host, c) is { } failure)
                {
                    failures.Add($"{c}: {failure}");
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                failures.Add($"{c}: no answer ({ex.GetBaseException().Message})");
            }
        }

        foreach ((string name, string request, bool brokenOff) in LyingRequests())
        {
            tally["lying Content-Length"] = tally.GetValueOrDefault("lying Content-Length") + 1;
            string status = await RawAsync(host.Platform.Endpoints.BoundFunctions!, request, brokenOff);

            // A body that breaks off (the client closed its side) may also end with the connection closed unanswered;
            // what may never happen is a 2xx or a 5xx (and the state check below proves nothing was appended).
            bool refused = status.StartsWith("HTTP/1.1 4", StringComparison.Ordinal) || (brokenOff && status.StartsWith("(no answer", StringComparison.Ordinal));
            if (!refused)
            {
                failures.Add($"lying Content-Length: {name}: answered '{status}'");
            }
        }

        output.WriteLine($"{tally.Values.Sum()} bad requests: " + string.Join(", ", tally.Select(t => $"{t.Key} {t.Value}")));
        Assert.True(failures.Count == 0, $"{failures.Count} of {tally.Values.Sum()} bad requests were not refused as they should be:\n" + string.Join("\n", failures));
        Assert.Equal(before, await StateAsync(host));
        Assert.True(tally.Values.Sum() >= 300, $"the corpus has only {tally.Values.Sum()} cases");
    }

    private static async Task<string?> CheckAsync(LocalHost host, BadInputCase c)
    {
        Uri baseAddress = host.Platform.Endpoints.BoundFunctions!;
        using var request = new HttpRequestMessage(c.Method, new Uri(baseAddress, c.Path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", LocalHost.AdminKey);
        if (c.Body is not null)
        {
            request.Content = new ByteArrayContent(c.Body);
            request.Content.Headers.ContentType = null;
            if (c.ContentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", c.ContentType);
            }

            if (c.ContentEncoding is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Encoding", c.ContentEncoding);
            }
        }

        using HttpResponseMessage response = await host.Client.SendAsync(request);
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        int status = (int)response.StatusCode;
        string text = Encoding.UTF8.GetString(body);
        if (status is < 400 or > 499)
        {
            return $"answered {status}: {text[..Math.Min(300, text.Length)]}";
        }

        string? mediaType = response.Content.Headers.ContentType?.MediaType;
        if (c.Otlp)
        {
            Google.Rpc.Status rpc;
            try
            {
                rpc = mediaType == "application/json" ? Google.Rpc.Status.Parser.ParseJson(text) : Google.Rpc.Status.Parser.ParseFrom(body);
            }
            catch (Exception ex) when (ex is Google.Protobuf.InvalidProtocolBufferException or Google.Protobuf.InvalidJsonException)
            {
                return $"answered {status} without a google.rpc.Status ({mediaType}): {ex.Message}";
            }

            return string.IsNullOrWhiteSpace(rpc.Message) || rpc.Code == 0 ? $"answered {status} with an empty status" : null;
        }

        if (mediaType != "application/problem+json")
        {
            return $"answered {status} as {mediaType}, not problem+json: {text[..Math.Min(200, text.Length)]}";
        }

        using JsonDocument problem = JsonDocument.Parse(body);
        return problem.RootElement.TryGetProperty("detail", out JsonElement detail) && detail.GetString() is { Length: > 10 }
            ? null
            : $"answered {status} with a problem that does not say what is wrong: {text}";
    }

    // Bodies that end before their Content-Length: the client went away mid-body (or lied). A 400, never a 5xx.
    private static IEnumerable<(string Name, string Request, bool BrokenOff)> LyingRequests()
    {
        string auth = $"Authorization: Bearer {LocalHost.AdminKey}\r\n";
        yield return ("records, 100 promised, 9 sent", $"POST /api/topics/corpus/records HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"value\":", true);
        yield return ("OTLP JSON, 100 promised, 5 sent", $"POST /api/v1/logs HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"res", true);
        yield return ("topic, 50 promised, 3 sent", $"POST /api/topics HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: application/json\r\nContent-Length: 50\r\n\r\n{{\"n", true);
        yield return ("records, a Content-Length that is not a number", $"POST /api/topics/corpus/records HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: application/json\r\nContent-Length: lots\r\n\r\n{{}}", false);
        yield return ("records, two Content-Lengths", $"POST /api/topics/corpus/records HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 20\r\n\r\n{{}}", false);
        yield return ("records, Content-Length and chunked", $"POST /api/topics/corpus/records HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", false);
    }

    private static async Task<string> RawAsync(Uri server, string request, bool closeAfterSending)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port);
        using NetworkStream stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        if (closeAfterSending)
        {
            client.Client.Shutdown(SocketShutdown.Send); // the rest of the body never comes
        }
        using var reader = new StreamReader(stream, Encoding.ASCII);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            return await reader.ReadLineAsync(timeout.Token) ?? "(no answer)";
        }
        catch (IOException ex)
        {
            return $"(no answer: {ex.Message})";
        }
    }

    // Everything a bad request could have changed: partition ends of every topic, the topics, the keys, the group.
    private static async Task<string> StateAsync(LocalHost host)
    {
        var state = new StringBuilder();
        JsonElement topics = await host.Client.GetFromJsonAsync<JsonElement>("/api/topics");
        foreach (JsonElement topic in topics.GetProperty("topics").EnumerateArray())
        {
            string name = topic.GetProperty("name").GetString()!;
            JsonElement described = await host.Client.GetFromJsonAsync<JsonElement>($"/api/topics/{name}");
            state.Append(name).Append(':').AppendJoin(',', described.GetProperty("offsets").EnumerateArray().Select(p => p.GetProperty("latestOffset").GetInt64())).Append('\n');
        }

        JsonElement keys = await host.Client.GetFromJsonAsync<JsonElement>("/api/keys");
        state.Append("keys:").Append(keys.GetProperty("keys").GetArrayLength()).Append('\n');
        JsonElement group = await host.Client.GetFromJsonAsync<JsonElement>("/api/groups/corpus-group/topics/corpus");
        state.Append("group:").Append(group.GetRawText());
        return state.ToString();
    }
}
