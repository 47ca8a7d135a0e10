using System.CommandLine;
using System.Globalization;
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
