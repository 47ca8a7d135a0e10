using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Platform.Benchmarks.Hosts;

namespace Platform.Benchmarks;

/// <summary>What a <c>platform produce</c> run of the CLI did, beside raw HTTP posting the same batches.</summary>
internal sealed record CliProduceResult(int Lines, long FileBytes, Rounds RawHttp, Rounds CliWithoutProgress, Rounds CliWithProgress, long ProgressBytes);

/// <summary>
/// <c>platform produce TOPIC --file</c> of a 100,000-line NDJSON file with keys, with the live progress display drawn
/// (to a sink, as on a terminal) and without, beside a raw HTTP loop that posts the same 500-record batches over one
/// connection: the CLI's own cost and the display's.
/// </summary>
internal static class CliProduceBenchmark
{
    private const int Batch = 500;

    public static async Task<CliProduceResult> RunAsync(BenchSettings s, string storage, string outDir, Action<string> step)
    {
        int lines = s.Mode == "smoke" ? 10_000 : 100_000;
        await using LocalHostProcess host = await LocalHostProcess.StartAsync(storage, HttpBenchmark.Key, Path.Combine(outDir, "cli-host.log"));
        using var http = new HttpClient { BaseAddress = host.Functions };
        http.DefaultRequestHeaders.Add("x-api-key", HttpBenchmark.Key);
        using (var create = new StringContent("{\"name\":\"cli\",\"partitions\":4}", Encoding.UTF8, "application/json"))
        {
            (await http.PostAsync("api/topics", create)).EnsureSuccessStatusCode();
        }

        string file = Path.Combine(outDir, "cli-produce.ndjson");
        await File.WriteAllLinesAsync(file, Enumerable.Range(0, lines).Select(i =>
            string.Create(CultureInfo.InvariantCulture, $"user-{i % 1000}|{{\"user\":\"user-{i % 1000}\",\"page\":\"/products/{i % 50}\",\"ts\":{1_795_000_000_000L + i}}}")));
        long fileBytes = new FileInfo(file).Length;
        string url = host.Functions.ToString().TrimEnd('/');
        var raw = new List<Measurement>();
        var plain = new List<Measurement>();
        var drawn = new List<Measurement>();
        long progressBytes = 0;
        int rounds = Math.Max(s.Rounds, 3);
        for (int round = 0; round < rounds; round++)
        {
            // Interleaved, so that a slow moment of the machine does not favour one of the three.
            step($"cli produce round {round + 1}/{rounds}: raw HTTP");
            raw.Add(await RawHttpAsync(http, file, lines, fileBytes));
            step($"cli produce round {round + 1}/{rounds}: CLI without progress");
            plain.Add((await CliAsync(url, file, lines, fileBytes, progress: false)).Result);
            step($"cli produce round {round + 1}/{rounds}: CLI with progress");
            (Measurement withBar, long drawnBytes) = await CliAsync(url, file, lines, fileBytes, progress: true);
            drawn.Add(withBar);
            progressBytes = drawnBytes;
        }

        return new CliProduceResult(lines, fileBytes, new Rounds(raw), new Rounds(plain), new Rounds(drawn), progressBytes);
    }

    public static string Report(CliProduceResult r) => string.Create(CultureInfo.InvariantCulture, $"""
        ## The command line's produce rate

        `platform produce cli --file … --key-separator '|' --json` of a {r.Lines:N0}-line NDJSON file with keys ({r.FileBytes / 1e6:F1} MB), in batches of {Batch}
        over one connection to a local host process, beside a raw HTTP loop posting the same batches (already built, as JSON) the same way.
        Rounds interleaved; median (min–max).

        | client | records/s | MB/s of input |
        | --- | ---: | ---: |
        | raw HTTP, prebuilt 500-record batches | {r.RawHttp.RecordsPerSecond.Format()} | {r.RawHttp.MBps.Format("F1")} |
        | CLI, `--progress never` | {r.CliWithoutProgress.RecordsPerSecond.Format()} | {r.CliWithoutProgress.MBps.Format("F1")} |
        | CLI, `--progress always` (live display drawn) | {r.CliWithProgress.RecordsPerSecond.Format()} | {r.CliWithProgress.MBps.Format("F1")} |

        The live display wrote {r.ProgressBytes / 1024.0:F0} KiB of terminal output in its last run (redrawn ten times a second on its own thread).

        """);

    private static async Task<Measurement> RawHttpAsync(HttpClient http, string file, int lines, long fileBytes)
    {
        // The batches are built before the clock starts: this is the cost of HTTP and the platform alone.
        var bodies = new List<byte[]>();
        foreach (string[] chunk in (await File.ReadAllLinesAsync(file)).Chunk(Batch))
        {
            var body = new StringBuilder("{\"records\":[");
            for (int i = 0; i < chunk.Length; i++)
            {
                int bar = chunk[i].IndexOf('|', StringComparison.Ordinal);
                body.Append(i == 0 ? "" : ",").Append("{\"key\":\"").Append(chunk[i].AsSpan(0, bar)).Append("\",\"value\":").Append(chunk[i].AsSpan(bar + 1)).Append('}');
            }

            bodies.Add(Encoding.UTF8.GetBytes(body.Append("]}").ToString()));
        }

        var clock = Stopwatch.StartNew();
        foreach (byte[] body in bodies)
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using HttpResponseMessage response = await http.PostAsync("api/topics/cli/records", content);
            response.EnsureSuccessStatusCode();
        }

        return new Measurement(lines, fileBytes, clock.Elapsed, 0, 0, 0);
    }

    private static async Task<(Measurement Result, long ProgressBytes)> CliAsync(string url, string file, int lines, long fileBytes, bool progress)
    {
        using var stdout = new StringWriter();
        using var sink = new CountingWriter();
        var clock = Stopwatch.StartNew();
        int exit = await Platform.Cli.CliApp.RunAsync(
            ["produce", "cli", "--file", file, "--key-separator", "|", "--json", "--progress", progress ? "always" : "never", "--url", url, "--api-key", HttpBenchmark.Key],
            stdout, sink, null, CancellationToken.None, stderrIsTerminal: progress);
        TimeSpan elapsed = clock.Elapsed;
        if (exit != 0)
        {
            throw new InvalidOperationException($"platform produce exited {exit}: {stdout}");
        }

        return (new Measurement(lines, fileBytes, elapsed, 0, 0, 0), sink.Written);
    }

    /// <summary>Standard error as a terminal would take it, counted and dropped.</summary>
    private sealed class CountingWriter : TextWriter
    {
        public long Written { get; private set; }

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value) => Written++;

        public override void Write(string? value) => Written += value?.Length ?? 0;

        public override void Write(char[] buffer, int index, int count) => Written += count;
    }
}
