using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Platform.Benchmarks.Hosts;
using Platform.Core.Log;
using Platform.Core.Storage.Azure;
using Platform.Tests.Consumers.Elasticsearch;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Hosting;

/// <summary>
/// The real stack under load: the local host in its own process is killed with SIGKILL three times while clients
/// produce records and OTLP logs, and started again over the same (still running) Azurite. Whatever was acknowledged
/// is in the log exactly once at the offset it was given, and the Elasticsearch router resumes from its commits
/// until every acknowledged log is indexed.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class CrashRecoveryTests(AzuriteFixture azurite, Xunit.Abstractions.ITestOutputHelper output)
{
    private const string AdminKey = "crash-admin-key-0123456789";

    [Fact]
    public async Task Acknowledged_records_survive_three_sigkills_exactly_once_and_consumers_resume_from_their_commits()
    {
        string id = Guid.NewGuid().ToString("N")[..8];
        await using FakeElasticsearch es = await FakeElasticsearch.StartAsync();
        (string, string)[] settings =
        [
            ("Platform:Storage:LogContainer", $"crash-{id}"),
            ("Platform:Storage:TablePrefix", $"c{id}"),
            ("Platform:Consumers:WakeupQueue", $"crash-{id}"),
            ("Platform:Consumers:ClaimDuration", "00:00:04"),
            ("Platform:Consumers:SweepSchedule", "*/2 * * * * *"),
            ("Platform:Elasticsearch:Url", es.Url.ToString()),
        ];
        string hostLog = Path.Combine(Path.GetTempPath(), $"crash-{id}.log");
        LocalHostProcess host = await LocalHostProcess.StartAsync(azurite.ConnectionString, AdminKey, hostLog, settings);
        var acked = new ConcurrentDictionary<string, (int Partition, long Offset)>();
        var ackedLogs = new ConcurrentBag<string>();
        int failed = 0, attempts = 0;
        try
        {
            using var admin = Client(host.Functions);
            (await admin.PostAsJsonAsync("api/topics", new { name = "crash", partitions = 3 })).EnsureSuccessStatusCode();

            using var stop = new CancellationTokenSource();
            var current = new StrongBox(host);
            Task[] clients = [.. Enumerable.Range(0, 8).Select(c => Task.Run(async () =>
            {
                for (int n = 0; !stop.IsCancellationRequested; n++)
                {
                    LocalHostProcess target = current.Host;
                    using var client = Client(target.Functions);
                    string value = $"c{c}-n{n}";
                    Interlocked.Increment(ref attempts);
                    try
                    {
                        if (n % 4 == 3)
                        {
                            using var otlp = Client(target.OtlpHttp);
                            string body = "{\"resourceLogs\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"crash\"}}]},\"scopeLogs\":[{\"logRecords\":[{\"body\":{\"stringValue\":\"" + value + "\"}}]}]}]}";
                            using HttpResponseMessage r = await otlp.PostAsync("v1/logs", new StringContent(body, Encoding.UTF8, "application/json"));
                            if (r.IsSuccessStatusCode)
                            {
                                ackedLogs.Add(value);
                            }
                        }
                        else
                        {
                            using HttpResponseMessage r = await client.PostAsync("api/topics/crash/records", new StringContent(JsonSerializer.Serialize(new { value }), Encoding.UTF8, "application/json"));
                            if (r.IsSuccessStatusCode)
                            {
                                JsonElement record = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("records")[0];
                                acked[value] = (record.GetProperty("partition").GetInt32(), record.GetProperty("offset").GetInt64());
                            }
                            else
                            {
                                Interlocked.Increment(ref failed);
                            }
                        }
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                    {
                        Interlocked.Increment(ref failed); // the host died under the request: not acknowledged
                        await Task.Delay(50); // and is not up yet: a client backs off
                    }
                }
            }))];

            for (int kill = 0; kill < 3; kill++)
            {
                await Task.Delay(TimeSpan.FromSeconds(3));
                await host.KillAsync();
                await host.DisposeAsync();
                host = await LocalHostProcess.StartAsync(azurite.ConnectionString, AdminKey, hostLog, settings);
                current.Host = host;
            }

            await Task.Delay(TimeSpan.FromSeconds(2));
            await stop.CancelAsync();
            await Task.WhenAll(clients);

            // Every acknowledged record exactly once, at its offset; nothing at all twice.
            var stores = new StorageSet(
                new AzureSegmentStore(new Azure.Storage.Blobs.BlobContainerClient(azurite.ConnectionString, $"crash-{id}")),
                new AzureOffsetIndex(new Azure.Data.Tables.TableClient(azurite.ConnectionString, $"c{id}offsetindex"), new Azure.Data.Tables.TableClient(azurite.ConnectionString, $"c{id}timeindex")),
                new AzureTopicStore(new Azure.Data.Tables.TableClient(azurite.ConnectionString, $"c{id}topics")));
            await using var reader = new TestEngine(stores);
            var log = new Dictionary<(int, long), string>();
            for (int p = 0; p < 3; p++)
            {
                foreach (LogRecord r in await Records.ReadAllAsync(reader.Reader, "crash", p, 1024 * 1024))
                {
                    log[(p, r.Offset)] = r.Text();
                }
            }

            Assert.True(acked.Count > 100, $"only {acked.Count} records were acknowledged ({failed} failed of {attempts})");
            Assert.All(acked, a => Assert.Equal(a.Key, log.GetValueOrDefault(a.Value)));
            Assert.Empty(log.Values.GroupBy(v => v).Where(g => g.Count() > 1).Select(g => g.Key));

            // The router resumes from its commits on the new instance until every acknowledged log is indexed.
            var deadline = DateTime.UtcNow.AddSeconds(90);
            HashSet<string> indexed = [];
            while (DateTime.UtcNow < deadline)
            {
                indexed = [.. es.Documents.Values.Select(d => d["message"]?.GetValue<string>() ?? string.Empty)];
                if (ackedLogs.All(indexed.Contains))
                {
                    break;
                }

                await Task.Delay(500);
            }

            output.WriteLine($"{attempts} requests, {acked.Count} records and {ackedLogs.Count} OTLP logs acknowledged, {failed} failed across 3 SIGKILLs; log holds {log.Count} records; {indexed.Count} documents indexed");
            Assert.True(ackedLogs.All(indexed.Contains), $"{ackedLogs.Count(l => !indexed.Contains(l))} of {ackedLogs.Count} acknowledged logs were not indexed; the host's log is {hostLog}");
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    private static HttpClient Client(Uri baseAddress) => KeyedClient.Create(baseAddress, AdminKey);

    private sealed class StrongBox(LocalHostProcess host)
    {
        public LocalHostProcess Host { get; set; } = host;
    }
}
