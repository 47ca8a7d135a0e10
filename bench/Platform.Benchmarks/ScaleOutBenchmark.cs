using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Platform.Benchmarks.Hosts;

namespace Platform.Benchmarks;

/// <summary>
/// One scale-out run: how many instances took the load (with <c>Control</c>, all up and the load on the first: CPU
/// sharing without contention), over how many partitions, keyed or not; what was acknowledged and refused (429/503);
/// and the storage requests all instances sent meanwhile, failed conditional appends and tail reads among them.
/// </summary>
internal sealed record ScaleOutRow(int Instances, int Partitions, bool Keyed, bool Control, Measurement Result, long Refused, long StorageRequests, long FailedAppends, long TailReads, CpuTimes Cpu, double CompileSeconds)
{
    public double RefusedRate => Result.Records + Refused == 0 ? 0 : (double)Refused / (Result.Records + Refused);

    public double StoragePerRecord => Result.Records == 0 ? double.NaN : (double)StorageRequests / Result.Records;

    /// <summary>CPU microseconds per acknowledged record: hosts, Azurite (NaN when its process was not found), the harness's clients.</summary>
    public (double Hosts, double Storage, double Clients) CpuPerRecord => Result.Records == 0 ? (double.NaN, double.NaN, double.NaN) : (
        Cpu.HostSeconds * 1e6 / Result.Records, Cpu.StorageFound ? Cpu.StorageSeconds * 1e6 / Result.Records : double.NaN, Cpu.HarnessSeconds * 1e6 / Result.Records);
}

/// <summary>
/// Several local hosts, each its own process, over one Azurite and the same log: the same 48 clients of one-record
/// requests spread over 1, 2 and 4 instances (and, as the control, 4 instances up with all load on one), keyless and
/// keyed, over 1, 4 and 16 partitions. Storage requests come from the hosts' own <c>platform.storage.requests</c>
/// metric, exported over OTLP to the harness: every try, failed conditional appends and tail reads included.
/// </summary>
internal static class ScaleOutBenchmark
{
    public const int Clients = 48;

    private const int MaxWarmRounds = 3;

    // sharedOnly: only the rows where several instances write the same partitions (one partition, keyed).
    public static async Task<List<ScaleOutRow>> RunAllAsync(BenchSettings s, string storage, int azurite, string outDir, Action<string> step, bool sharedOnly = false)
    {
        int[] instanceCounts = s.Mode == "smoke" ? [1, 2] : [1, 2, 4];
        int[] partitionCounts = s.Mode == "smoke" || sharedOnly ? [1] : [1, 4, 16];
        TimeSpan duration = s.Mode switch { "smoke" => TimeSpan.FromSeconds(0.5), "quick" => TimeSpan.FromSeconds(4), _ => TimeSpan.FromSeconds(12) };
        await using StorageRequestTally tally = await StorageRequestTally.StartAsync();
        string id = Guid.NewGuid().ToString("N")[..8];
        (string, string)[] shared =
        [
            ("Platform:Storage:LogContainer", $"scale-{id}"),
            ("Platform:Storage:TablePrefix", $"s{id}"),
            ("Platform:Consumers:WakeupQueue", $"w-{id}"),
            ("Logging:LogLevel:Platform.Core.Log.Partitioning", "Debug"), // which partitions each host leads, in its log
        ];
        var hosts = new List<LocalHostProcess>();
        try
        {
            for (int i = 0; i < instanceCounts[^1]; i++)
            {
                hosts.Add(await LocalHostProcess.StartAsync(storage, HttpBenchmark.Key, Path.Combine(outDir, $"scale-host{i}.log"), shared, tally.Environment($"host{i}")));
            }

            using var admin = new HttpClient { BaseAddress = hosts[0].Functions };
            admin.DefaultRequestHeaders.Add("x-api-key", HttpBenchmark.Key);
            // Every host warm (JIT, connections, appenders) before the first measured run, on every path the rows take:
            // keyless on partitions it leads, keyed, and one partition shared by all (lost races, catch-ups). Otherwise a
            // row pays for tiering the code it is the first to run hot, in four processes on the same two cores (seen: 45 %
            // of the machine in the hosts' tiered-compilation threads during the first shared-partition row). Rounds until
            // a round in which each host compiles for under a quarter of a second; what never stops is the slow tiering of
            // background work that runs every few seconds (leases, retention, stream and keyed-view sweeps), a few hundred
            // methods a host per quarter minute.
            (string Topic, int Partitions, bool Keyed)[] warmPaths = [("scale-warm", 4, false), ("scale-warm", 4, true), ("scale-warm-1", 1, false)];
            foreach (string warmTopic in warmPaths.Select(p => p.Topic).Distinct())
            {
                await CreateTopicAsync(admin, warmTopic, warmPaths.First(p => p.Topic == warmTopic).Partitions);
            }

            for (int round = 1; ; round++)
            {
                step($"scale-out: warming every instance (round {round})");
                double jitBefore = tally.JitSeconds();
                foreach ((string warmTopic, _, bool warmKeyed) in warmPaths)
                {
                    await WarmAsync(hosts, warmTopic);
                    await LoadAsync([.. hosts], warmTopic, warmKeyed, duration);
                }

                await SettleAsync();
                double compiling = tally.JitSeconds() - jitBefore;
                if (compiling < 0.25 * hosts.Count || round == MaxWarmRounds)
                {
                    step(string.Create(CultureInfo.InvariantCulture, $"scale-out: warm after {round} round(s) (the hosts compiled for {compiling:N2} s in the last)"));
                    break;
                }
            }

            var rows = new List<ScaleOutRow>();
            var breakdown = new StringBuilder();
            async Task Run(int instances, int partitions, bool keyed, bool control)
            {
                step($"scale-out: {instances} instance(s){(control ? " up, load on one" : string.Empty)}, {partitions} partition(s), {(keyed ? "keyed" : "keyless")}");
                string topic = $"scale-{instances}-{partitions}-{(keyed ? "k" : "n")}{(control ? "-c" : string.Empty)}";
                await CreateTopicAsync(admin, topic, partitions);
                LocalHostProcess[] targets = control ? [hosts[0]] : [.. hosts.Take(instances)];
                await WarmAsync(targets, topic);
                // The same load, unmeasured, for a third of the row first: the instances have shared out the topic's
                // partitions (writer leases) and compiled what this shape of load runs hot, so the row measures the
                // steady state an instance that has been up for a while is in.
                await LoadAsync(targets, topic, keyed, duration / 3);
                int[] pids = [.. hosts.Select(h => h.ProcessId)];
                await QuietAsync(pids, azurite, step);
                var before = await SettledTotalsAsync(tally);
                double jitBefore = tally.JitSeconds();
                CpuTimes cpuBefore = CpuTimes.Sample(pids, azurite);
                (Measurement result, long refused) = await LoadAsync(targets, topic, keyed, duration);
                CpuTimes cpu = CpuTimes.Sample(pids, azurite) - cpuBefore;
                var after = await SettledTotalsAsync(tally);
                double compiled = tally.JitSeconds() - jitBefore;
                long Diff(Func<(string Service, string Operation, long Status), bool> which) =>
                    after.Where(e => which(e.Key)).Sum(e => e.Value) - before.Where(e => which(e.Key)).Sum(e => e.Value);
                breakdown.Append(topic).Append(": ").Append(result.Records).Append(" records; ")
                    .Append(CultureInfo.InvariantCulture, $"CPU {cpu.BusyShare:P0} busy, Azurite's main thread {cpu.StorageThreadBusy:P0}: hosts {cpu.HostSeconds:N1} s, Azurite {cpu.StorageSeconds:N1} s, clients {cpu.HarnessSeconds:N1} s; the hosts compiled for {compiled:N2} s; ").AppendLine(string.Join(", ", after
                    .Select(e => (e.Key, Count: e.Value - (before.TryGetValue(e.Key, out long was) ? was : 0)))
                    .Where(e => e.Count > 0).OrderByDescending(e => e.Count)
                    .Select(e => $"{e.Key.Service} {e.Key.Operation} {e.Key.Status}: {e.Count}")));
                rows.Add(new ScaleOutRow(control ? instanceCounts[^1] : instances, partitions, keyed, control, result, refused,
                    Diff(k => k.Service is "blob" or "table"),
                    Diff(k => k.Service == "blob" && k.Operation == "PUT appendblock" && k.Status is 412),
                    Diff(k => k.Service == "blob" && k.Operation == "GET range"), cpu, compiled));
            }

            foreach (int partitions in partitionCounts)
            {
                // The control first: a slow first run after a busy one (Azurite collecting) shows there, not as contention.
                if (!sharedOnly)
                {
                    await Run(instanceCounts[^1], partitions, keyed: false, control: true);
                }

                foreach (int instances in instanceCounts)
                {
                    await Run(instances, partitions, keyed: false, control: false);
                }
            }

            int keyedPartitions = s.Mode != "smoke" ? 4 : partitionCounts[0];
            foreach (int instances in instanceCounts)
            {
                await Run(instances, keyedPartitions, keyed: true, control: false);
            }

            await File.WriteAllTextAsync(Path.Combine(outDir, "scale-out-storage.txt"), breakdown.ToString());
            return rows;
        }
        finally
        {
            foreach (LocalHostProcess host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    /// <summary>The report section: one row per run.</summary>
    public static string Report(IReadOnlyList<ScaleOutRow> rows)
    {
        var md = new StringBuilder();
        md.AppendLine("## Scale-out: instances over one storage account");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"{Clients} clients of one-record requests (1 KiB, octet-stream), spread evenly over the instances that take load; each instance is a local host in its own process over one Azurite, on the same cores. Storage requests are every try the hosts sent (from their own `platform.storage.requests` metric), failed conditional appends and tail reads included. *Control*: all instances up, all load on one. CPU is the machine's busy share during the run, how busy Azurite's main thread was (Node serves every request on it), and CPU microseconds per acknowledged record in the hosts, in Azurite's process and in the harness's clients (— where a figure could not be had), and the time all hosts' runtimes spent compiling during the run (JIT; the section warms the hosts until that is small, and runs each row's load unmeasured for a third of its length first, so that rows measure the steady state: leases shared out, hot code compiled).");
        md.AppendLine();
        md.AppendLine("| instances | partitions | keys | records/s | vs 1 instance | 429/503 rate | p50 ms | p99 ms | storage requests / record | failed appends / record | tail reads / record | CPU busy | Azurite's main thread | CPU µs / record: hosts · Azurite · clients | hosts compiling, s |");
        md.AppendLine("| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (ScaleOutRow r in rows)
        {
            ScaleOutRow? single = rows.FirstOrDefault(o => o.Instances == 1 && o.Partitions == r.Partitions && o.Keyed == r.Keyed && !o.Control);
            string ratio = single is null || single.Result.RecordsPerSecond == 0 ? string.Empty : (r.Result.RecordsPerSecond / single.Result.RecordsPerSecond).ToString("P0", CultureInfo.InvariantCulture);
            md.AppendLine(CultureInfo.InvariantCulture, $"| {r.Instances}{(r.Control ? " (control: load on one)" : string.Empty)} | {r.Partitions} | {(r.Keyed ? "keyed" : "keyless")} | {r.Result.RecordsPerSecond:N0} | {ratio} | {r.RefusedRate:P2} | {r.Result.P50Ms:N1} | {r.Result.P99Ms:N1} | {r.StoragePerRecord:N2} | {(double)r.FailedAppends / Math.Max(1, r.Result.Records):N3} | {(double)r.TailReads / Math.Max(1, r.Result.Records):N3} | {Share(r.Cpu.BusyShare)} | {Share(r.Cpu.StorageThreadBusy)} | {r.CpuPerRecord.Hosts:N0} · {Micros(r.CpuPerRecord.Storage)} · {r.CpuPerRecord.Clients:N0} | {r.CompileSeconds:N2} |");
        }

        return md.ToString();
    }

    // Every target knows the topic and has its appenders open before the clock starts.
    private static async Task WarmAsync(IEnumerable<LocalHostProcess> targets, string topic)
    {
        foreach (LocalHostProcess host in targets)
        {
            using var client = Client(host);
            for (int attempt = 0; attempt < 50; attempt++)
            {
                using var body = new ByteArrayContent(new byte[16]);
                body.Headers.ContentType = new("application/octet-stream");
                using HttpResponseMessage r = await client.PostAsync($"api/topics/{topic}/records", body);
                if (r.IsSuccessStatusCode)
                {
                    break;
                }

                await Task.Delay(100);
            }
        }
    }

    // Waits until the hosts are all but idle (under a tenth of a core between them for a second; at most a minute), so
    // that what a run leaves behind is not billed to the next: tiered compilation of the code it ran hot (in four
    // processes on two cores it took most of the machine for seconds after the warm-up), index writes, lease hand-overs.
    private static async Task QuietAsync(int[] hostProcessIds, int azurite, Action<string> step)
    {
        var waited = Stopwatch.StartNew();
        CpuTimes last = CpuTimes.Sample(hostProcessIds, azurite);
        while (waited.Elapsed < TimeSpan.FromMinutes(1))
        {
            await Task.Delay(1000);
            CpuTimes now = CpuTimes.Sample(hostProcessIds, azurite);
            if ((now - last).HostSeconds < 0.1)
            {
                return;
            }

            last = now;
        }

        step("scale-out: the hosts did not go quiet within a minute; measuring anyway");
    }

    // Totals once the hosts have exported what they counted so far.
    private static async Task<Dictionary<(string Service, string Operation, long Status), long>> SettledTotalsAsync(StorageRequestTally tally)
    {
        await SettleAsync();
        return tally.Totals();
    }

    // Long enough for every host to have exported what it counted so far (they export every 500 ms).
    private static Task SettleAsync() => Task.Delay(1300);

    private static async Task CreateTopicAsync(HttpClient admin, string topic, int partitions)
    {
        using var body = new StringContent($"{{\"name\":\"{topic}\",\"partitions\":{partitions}}}", Encoding.UTF8, "application/json");
        using HttpResponseMessage created = await admin.PostAsync("api/topics", body);
        created.EnsureSuccessStatusCode();
    }

    private static async Task<(Measurement Result, long Refused)> LoadAsync(LocalHostProcess[] targets, string topic, bool keyed, TimeSpan duration)
    {
        HttpClient[] clients = [.. targets.Select(Client)];
        byte[] value = new byte[1024];
        Random.Shared.NextBytes(value);
        long acknowledged = 0, refused = 0, failed = 0;
        var latencies = new LatencyRecorder();
        var clock = Stopwatch.StartNew();
        try
        {
            await Task.WhenAll(Enumerable.Range(0, Clients).Select(async c =>
            {
                HttpClient client = clients[c % clients.Length];
                for (int n = 0; clock.Elapsed < duration; n++)
                {
                    string url = keyed ? $"api/topics/{topic}/records?key=k{c}-{n % 64}" : $"api/topics/{topic}/records";
                    using var body = new ByteArrayContent(value);
                    body.Headers.ContentType = new("application/octet-stream");
                    long start = Stopwatch.GetTimestamp();
                    try
                    {
                        using HttpResponseMessage r = await client.PostAsync(url, body);
                        latencies.Add(start);
                        if (r.IsSuccessStatusCode)
                        {
                            Interlocked.Increment(ref acknowledged);
                        }
                        else if (r.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests)
                        {
                            Interlocked.Increment(ref refused);
                        }
                        else
                        {
                            Interlocked.Increment(ref failed);
                        }
                    }
                    catch (HttpRequestException)
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
            }));
        }
        finally
        {
            foreach (HttpClient client in clients)
            {
                client.Dispose();
            }
        }

        if (failed > 0)
        {
            Console.Error.WriteLine($"  {failed} scale-out requests failed otherwise");
        }

        return (Measurement.Of(acknowledged, acknowledged * value.Length, clock.Elapsed, latencies) with { Failed = failed }, refused);
    }

    // "—" where the figure could not be had (no /proc), never a made-up 0.
    private static string Share(double share) => double.IsNaN(share) ? "—" : share.ToString("P0", CultureInfo.InvariantCulture);

    private static string Micros(double micros) => double.IsNaN(micros) ? "—" : micros.ToString("N0", CultureInfo.InvariantCulture);

    private static HttpClient Client(LocalHostProcess host)
    {
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = host.Functions, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("x-api-key", HttpBenchmark.Key);
        return client;
    }
}
