using System.Buffers;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Platform.Cli;

/// <summary>
/// <c>produce TOPIC</c>: what <c>kafka-console-producer</c> does, in batches over HTTP, with a live progress display
/// and a summary.
/// </summary>
internal static class ProduceCommand
{
    public static Command Create(CommandContext context)
    {
        var topic = new Argument<string>("topic");
        var values = new Argument<string[]>("values") { Description = "Values to produce; without any, one per line from --file or standard input.", Arity = ArgumentArity.ZeroOrMore };
        var file = new Option<FileInfo?>("--file", "-f") { Description = "A file of values, one per line." };
        var separator = new Option<string?>("--key-separator") { Description = "Each line is key<separator>value (a line without it has no key)." };
        var json = new Option<bool>("--json") { Description = "Values are JSON (NDJSON lines), sent as JSON; a line that is not JSON stops the run before it is sent." };
        var idempotent = new Option<bool>("--idempotent") { Description = "Sends each batch with an Idempotency-Key derived from its content and position, so a re-run of the same input after a failure does not duplicate." };
        var batchSize = new Option<int>("--batch-size") { Description = "Records per request.", DefaultValueFactory = _ => 500 };
        var progress = new Option<string>("--progress") { Description = "auto (a live display on standard error when it is a terminal), always, never.", DefaultValueFactory = _ => "auto" };
        progress.AcceptOnlyFromAmong("auto", "always", "never");
        batchSize.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 10_000) r.AddError("--batch-size must be between 1 and 10000.");
        });
        var command = new Command("produce", "Produces records: from arguments, a file or standard input, in batches.") { topic, values, file, separator, json, idempotent, batchSize, progress };
        command.SetAction(async (parsed, ct) =>
        {
            PlatformClient client = context.Client(parsed);
            Output output = context.Output(parsed);
            string name = parsed.GetValue(topic)!;
            FileInfo? source = parsed.GetValue(file);
            if (source is { Exists: false })
            {
                throw new CliException(CliException.Usage, $"No such file: {source.FullName}");
            }

            var producer = new BatchProducer(client, name, parsed.GetValue(separator), parsed.GetValue(json), parsed.GetValue(idempotent), parsed.GetValue(batchSize));
            bool showProgress = parsed.GetValue(progress) switch { "always" => true, "never" => false, _ => context.StderrIsTerminal && !output.Json };
            ProduceSummary summary;
            if (parsed.GetValue(values) is { Length: > 0 } given)
            {
                summary = await producer.RunAsync(given, null, ct);
            }
            else if (source is not null)
            {
                using var stream = new FileStream(source.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
                using var reader = new StreamReader(stream);
                summary = showProgress
                    ? await ProduceProgress.RunAsync(context.Stderr, source.Name, source.Length, () => stream.Position, producer, p => producer.RunAsync(ReadLines(reader), p, ct))
                    : await producer.RunAsync(ReadLines(reader), null, ct);
            }
            else if (context.Stdin is { } stdin)
            {
                summary = showProgress
                    ? await ProduceProgress.RunAsync(context.Stderr, "standard input", null, null, producer, p => producer.RunAsync(ReadLines(stdin), p, ct))
                    : await producer.RunAsync(ReadLines(stdin), null, ct);
            }
            else
            {
                throw new CliException(CliException.Usage, "Nothing to produce: give values, --file, or pipe lines in.");
            }

            if (output.Json)
            {
                output.Write(new JsonObject
                {
                    ["topic"] = name, ["records"] = summary.Records, ["bytes"] = summary.Bytes, ["requests"] = summary.Requests, ["retried"] = summary.Retried,
                    ["seconds"] = Math.Round(summary.Seconds, 3), ["recordsPerSecond"] = Math.Round(summary.Records / summary.Seconds),
                });
            }
            else
            {
                output.Line(string.Create(CultureInfo.InvariantCulture,
                    $"Produced {summary.Records:N0} records ({summary.Bytes / 1e6:F1} MB) to '{name}' in {summary.Seconds:F1} s: {summary.Records / summary.Seconds:N0} records/s, {summary.Bytes / 1e6 / summary.Seconds:F1} MB/s, {summary.Requests:N0} requests, {summary.Retried} retried."));
            }

            return 0;
        });
        return command;
    }

    private static IEnumerable<string> ReadLines(TextReader reader)
    {
        while (reader.ReadLine() is { } line)
        {
            yield return line;
        }
    }
}

/// <summary>What a produce run did.</summary>
internal sealed record ProduceSummary(long Records, long Bytes, long Requests, long Retried, double Seconds);

/// <summary>Lines to records to batches to requests, one request at a time so that each key's records stay in order.</summary>
internal sealed class BatchProducer(PlatformClient client, string topic, string? separator, bool json, bool idempotent, int batchSize)
{
    private readonly ArrayBufferWriter<byte> _body = new(1 << 16);
    private readonly string _path = $"topics/{JsonText.Escape(topic)}/records";
    private long _records;
    private long _bytes;
    private long _requests;

    public long Records => Interlocked.Read(ref _records);

    public long Bytes => Interlocked.Read(ref _bytes);

    public long Retried => client.Retried;

    public async Task<ProduceSummary> RunAsync(IEnumerable<string> lines, Action? onBatch, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        int lineNumber = 0, inBatch = 0;
        long batchBytes = 0;
        using var writer = new Utf8JsonWriter(_body);
        StartBatch(writer);
        foreach (string line in lines)
        {
            lineNumber++;
            if (line.Length == 0) continue;
            string? key = null;
            string value = line;
            if (separator is { Length: > 0 } && line.IndexOf(separator, StringComparison.Ordinal) is int at and >= 0)
            {
                key = line[..at];
                value = line[(at + separator.Length)..];
            }

            writer.WriteStartObject();
            if (key is not null) writer.WriteString("key", key);
            writer.WritePropertyName("value");
            if (json)
            {
                try
                {
                    writer.WriteRawValue(value); // checked: a line that is not JSON is refused here, before anything of its batch is sent
                }
                catch (JsonException e)
                {
                    throw new CliException(CliException.Usage, $"Line {lineNumber} is not JSON ({e.Message}); {Records:N0} records were produced before it.");
                }
            }
            else
            {
                writer.WriteStringValue(value);
            }

            writer.WriteEndObject();
            inBatch++;
            batchBytes += value.Length + (key?.Length ?? 0);
            if (inBatch >= batchSize)
            {
                await SendAsync(writer, inBatch, batchBytes, cancellationToken).ConfigureAwait(false);
                onBatch?.Invoke();
                (inBatch, batchBytes) = (0, 0);
                StartBatch(writer);
            }
        }

        if (inBatch > 0)
        {
            await SendAsync(writer, inBatch, batchBytes, cancellationToken).ConfigureAwait(false);
            onBatch?.Invoke();
        }

        return new ProduceSummary(Records, Bytes, _requests, client.Retried, Math.Max(clock.Elapsed.TotalSeconds, 1e-6));
    }

    private void StartBatch(Utf8JsonWriter writer)
    {
        _body.ResetWrittenCount();
        writer.Reset(_body);
        writer.WriteStartObject();
        writer.WriteStartArray("records");
    }

    private async Task SendAsync(Utf8JsonWriter writer, int count, long bytes, CancellationToken cancellationToken)
    {
        writer.WriteEndArray();
        writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        ReadOnlyMemory<byte> body = _body.WrittenMemory;
        // The same input gives the same batches and keys: a re-run after a failure is answered, not appended again.
        string? key = idempotent
            ? "cli-" + Convert.ToHexStringLower(SHA256.HashData([.. System.Text.Encoding.UTF8.GetBytes($"{topic}|{_requests}|"), .. body.Span]))
            : null;
        try
        {
            await client.PostJsonAsync(_path, body, key, cancellationToken).ConfigureAwait(false);
        }
        catch (CliException e)
        {
            throw new CliException(e.ExitCode, $"{e.Message}{Environment.NewLine}{Records:N0} records were produced before this batch{(idempotent ? "; the same command again resumes without duplicates" : "")}.");
        }

        _requests++;
        Interlocked.Add(ref _records, count);
        Interlocked.Add(ref _bytes, bytes);
    }
}
