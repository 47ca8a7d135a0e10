using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Platform.Cli;

/// <summary>
/// <c>consume TOPIC</c>: what <c>kafka-console-consumer</c> and kcat do: read by partition, offset or time, as a
/// group (starting at its committed offsets and committing after), or follow live; filter by key; print text, JSON
/// lines or a table.
/// </summary>
internal static class ConsumeCommand
{
    public static Command Create(CommandContext context)
    {
        var topic = new Argument<string>("topic");
        var partition = new Option<int?>("--partition", "-p") { Description = "One partition (default: every partition)." };
        var offset = new Option<string?>("--offset") { Description = "earliest, latest, or an offset (with one --partition). Default: earliest; with --follow, latest." };
        var fromBeginning = new Option<bool>("--from-beginning") { Description = "Starts at the earliest offset (the same as --offset earliest)." };
        var fromTime = new Option<string?>("--from-time") { Description = "Starts at the first record appended at or after this time (Unix ms or ISO 8601)." };
        var group = new Option<string?>("--group", "-g") { Description = "Consumes as this consumer group: starts at its committed offsets (earliest where it has none) and commits what it printed." };
        var noCommit = new Option<bool>("--no-commit") { Description = "With --group: reads from the committed offsets but commits nothing." };
        var max = new Option<int>("--max", "-n") { Description = "Most records to print (0: no limit).", DefaultValueFactory = _ => 100 };
        var follow = new Option<bool>("--follow", "-f") { Description = "Tails the topic live over the stream until --max records or Ctrl+C." };
        var format = new Option<string?>("--format") { Description = "table (default when reading), text (default when following: partition:offset key value), or jsonl. --output json means jsonl." };
        format.AcceptOnlyFromAmong("table", "text", "jsonl");
        var keys = new Option<string[]>("--key", "-k") { Description = "Only records with this key (repeatable).", AllowMultipleArgumentsPerToken = false };
        var keyPattern = new Option<string?>("--key-pattern") { Description = "Only records whose key matches this regular expression." };
        var command = new Command("consume", "Reads records by partition, offset or time, as a group, or follows a topic live.")
        {
            topic, partition, offset, fromBeginning, fromTime, group, noCommit, max, follow, format, keys, keyPattern,
        };
        command.SetAction(async (parsed, ct) =>
        {
            var options = new ConsumeOptions(
                parsed.GetValue(topic)!, parsed.GetValue(partition), parsed.GetValue(fromBeginning) ? "earliest" : parsed.GetValue(offset), parsed.GetValue(fromTime),
                parsed.GetValue(group), !parsed.GetValue(noCommit), parsed.GetValue(max), parsed.GetValue(follow),
                KeyFilter(parsed.GetValue(keys) ?? [], parsed.GetValue(keyPattern)));
            Output output = context.Output(parsed);
            string style = output.Json ? "jsonl" : parsed.GetValue(format) ?? (options.Follow ? "text" : "table");
            if (style == "table" && options.Follow)
            {
                throw new CliException(CliException.Usage, "--follow prints records as they come: use --format text or jsonl.");
            }

            if (options.FromOffset is not (null or "earliest" or "latest") && !long.TryParse(options.FromOffset, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                throw new CliException(CliException.Usage, "--offset must be earliest, latest or a number.");
            }

            if (options.FromOffset is not (null or "earliest" or "latest") && options.Partition is null)
            {
                throw new CliException(CliException.Usage, "--offset N needs --partition: offsets are per partition.");
            }

            if (options.Group is not null && (options.FromOffset is not null || options.FromTime is not null))
            {
                throw new CliException(CliException.Usage, "--group starts at the group's committed offsets: move them with 'groups reset' instead of --offset or --from-time.");
            }

            var printer = new RecordPrinter(output, style);
            var session = new ConsumeSession(context.Client(parsed), options, printer);
            await session.RunAsync(ct);
            return 0;
        });
        return command;
    }

    private static Func<string?, bool>? KeyFilter(string[] keys, string? pattern)
    {
        if (keys.Length == 0 && pattern is null) return null;
        Regex? regex;
        try
        {
            regex = pattern is null ? null : new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException e)
        {
            throw new CliException(CliException.Usage, $"--key-pattern is not a regular expression: {e.Message}");
        }

        var wanted = keys.ToHashSet(StringComparer.Ordinal);
        return key => (wanted.Count == 0 || (key is not null && wanted.Contains(key))) && (regex is null || (key is not null && regex.IsMatch(key)));
    }
}
