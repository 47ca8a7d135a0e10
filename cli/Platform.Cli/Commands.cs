using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Platform.Cli;

/// <summary>The commands.</summary>
internal static class Commands
{
    private const int ProduceBatch = 500;

    public static IEnumerable<Command> All(CommandContext context) =>
        [Login(), Status(context), Topics(context), Produce(context), Consume(context), Groups(context), Keys(context)];

    private static Command Login()
    {
        var url = new Argument<string>("url") { Description = "The platform's base URL." };
        var key = new Argument<string>("api-key") { Description = "An API key." };
        var command = new Command("login", "Saves an endpoint and API key as a profile (a file only you can read).") { url, key };
        command.SetAction(parsed =>
        {
            Profiles.Save(Profiles.DefaultPath, parsed.GetValue(CliApp.Profile)!, parsed.GetValue(url)!, parsed.GetValue(key)!);
            parsed.InvocationConfiguration.Output.WriteLine($"Saved profile '{parsed.GetValue(CliApp.Profile)}' in {Profiles.DefaultPath}.");
            return 0;
        });
        return command;
    }

    private static Command Status(CommandContext context)
    {
        var command = new Command("status", "Checks that the endpoint answers and the key is accepted.");
        command.SetAction(async (parsed, ct) =>
        {
            PlatformClient client = context.Client(parsed);
            JsonNode? topics = await client.GetAsync("topics", ct);
            Output output = context.Output(parsed);
            int count = topics?["topics"]?.AsArray().Count ?? 0;
            if (output.Json)
            {
                output.Write(new JsonObject { ["url"] = client.BaseUrl, ["ok"] = true, ["topics"] = count });
            }
            else
            {
                output.Line($"{client.BaseUrl}: ok, {count} topic(s) visible to this key");
            }

            return 0;
        });
        return command;
    }

    private static Command Topics(CommandContext context)
    {
        var list = new Command("list", "Lists the topics this key may see.");
        list.SetAction(async (parsed, ct) =>
        {
            JsonNode? all = await context.Client(parsed).GetAsync("topics", ct);
            Output output = context.Output(parsed);
            if (output.Json)
            {
                output.Write(all);
                return 0;
            }

            output.Table(["topic", "partitions", "cleanup", "retention ms", "compression"], all?["topics"]?.AsArray().Select(t => (IReadOnlyList<string>)
                [Text(t?["name"]), Text(t?["partitions"]), Text(t?["cleanupPolicy"]), Text(t?["retentionMs"]), Text(t?["compression"])]) ?? []);
            return 0;
        });

        var name = new Argument<string>("topic");
        var describe = new Command("describe", "A topic's settings and the earliest and latest offset of each partition.") { name };
        describe.SetAction(async (parsed, ct) =>
        {
            JsonNode? topic = await context.Client(parsed).GetAsync($"topics/{Uri.EscapeDataString(parsed.GetValue(name)!)}", ct);
            Output output = context.Output(parsed);
            if (output.Json)
            {
                output.Write(topic);
                return 0;
            }

            output.Line($"{Text(topic?["name"])}: {Text(topic?["partitions"])} partitions, cleanup {Text(topic?["cleanupPolicy"])}, retention {Text(topic?["retentionMs"])} ms, compression {Text(topic?["compression"])}");
            output.Table(["partition", "earliest", "latest"], topic?["offsets"]?.AsArray().Select(p => (IReadOnlyList<string>)[Text(p?["partition"]), Text(p?["earliestOffset"]), Text(p?["latestOffset"])]) ?? []);
            return 0;
        });

        var createName = new Argument<string>("topic");
        var partitions = new Option<int>("--partitions", "-p") { Description = "Number of partitions.", DefaultValueFactory = _ => 1 };
        var cleanup = new Option<string?>("--cleanup-policy") { Description = "delete, compact or compact,delete." };
        var retention = new Option<long?>("--retention-ms") { Description = "How long records are kept (-1: forever)." };
        var compression = new Option<string?>("--compression") { Description = "none, gzip or zstd." };
        var create = new Command("create", "Creates a topic.") { createName, partitions, cleanup, retention, compression };
        create.SetAction(async (parsed, ct) =>
        {
            var body = new JsonObject { ["name"] = parsed.GetValue(createName), ["partitions"] = parsed.GetValue(partitions) };
            if (parsed.GetValue(cleanup) is { } c) body["cleanupPolicy"] = c;
            if (parsed.GetValue(retention) is { } r) body["retentionMs"] = r;
            if (parsed.GetValue(compression) is { } z) body["compression"] = z;
            JsonNode? created = await context.Client(parsed).PostAsync("topics", body, ct);
            Output output = context.Output(parsed);
            if (output.Json) output.Write(created);
            else output.Line($"Created topic '{Text(created?["name"])}' with {Text(created?["partitions"])} partition(s).");
            return 0;
        });

        return new Command("topics", "Topics: list, describe, create.") { list, describe, create };
    }

    private static Command Produce(CommandContext context)
    {
        var topic = new Argument<string>("topic");
        var values = new Argument<string[]>("values") { Description = "Values to produce; without any, one per line from --file or standard input.", Arity = ArgumentArity.ZeroOrMore };
        var file = new Option<FileInfo?>("--file", "-f") { Description = "A file of values, one per line." };
        var separator = new Option<string?>("--key-separator") { Description = "Each line is key<separator>value." };
        var json = new Option<bool>("--json") { Description = "Lines are JSON values (NDJSON), sent as JSON." };
        var idempotent = new Option<bool>("--idempotent") { Description = "Sends each batch with an Idempotency-Key derived from its content and position, so a re-run after a failure does not duplicate." };
        var command = new Command("produce", "Produces records: from arguments, a file or standard input, in batches.") { topic, values, file, separator, json, idempotent };
        command.SetAction(async (parsed, ct) =>
        {
            PlatformClient client = context.Client(parsed);
            Output output = context.Output(parsed);
            string name = parsed.GetValue(topic)!;
            IEnumerable<string> lines = parsed.GetValue(values) is { Length: > 0 } given ? given
                : parsed.GetValue(file) is { } f ? File.ReadLines(f.FullName)
                : context.Stdin is { } stdin ? ReadLines(stdin)
                : throw new CliException(CliException.Usage, "Nothing to produce: give values, --file, or pipe lines in.");
            string? sep = parsed.GetValue(separator);
            bool asJson = parsed.GetValue(json);
            bool once = parsed.GetValue(idempotent);
            int batchNumber = 0;
            long records = 0, bytes = 0;
            var clock = Stopwatch.StartNew();
            var batch = new JsonArray();
            int lineNumber = 0;
            async Task FlushAsync()
            {
                if (batch.Count == 0) return;
                var body = new JsonObject { ["records"] = batch };
                string path = $"topics/{Uri.EscapeDataString(name)}/records";
                if (once)
                {
                    // The same input gives the same batches and keys: a re-run after a failure is answered, not appended again.
                    string key = "cli-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{name}|{batchNumber}|{body.ToJsonString()}")));
                    await client.PostIdempotentAsync(path, body, key, ct);
                }
                else
                {
                    await client.PostAsync(path, body, ct);
                }

                batchNumber++;
                records += batch.Count;
                batch = [];
            }

            foreach (string line in lines)
            {
                lineNumber++;
                if (line.Length == 0) continue;
                string? key = null;
                string value = line;
                if (sep is { Length: > 0 } && line.IndexOf(sep, StringComparison.Ordinal) is int at and >= 0)
                {
                    key = line[..at];
                    value = line[(at + sep.Length)..];
                }

                JsonNode? node;
                try
                {
                    node = asJson ? JsonNode.Parse(value) : JsonValue.Create(value);
                }
                catch (JsonException e)
                {
                    throw new CliException(CliException.Usage, $"Line {lineNumber} is not JSON: {e.Message}");
                }

                var record = new JsonObject { ["value"] = node };
                if (key is not null) record["key"] = key;
                batch.Add(record);
                bytes += value.Length;
                if (batch.Count >= ProduceBatch) await FlushAsync();
            }

            await FlushAsync();
            double seconds = Math.Max(clock.Elapsed.TotalSeconds, 1e-6);
            if (output.Json)
            {
                output.Write(new JsonObject { ["records"] = records, ["bytes"] = bytes, ["seconds"] = Math.Round(seconds, 3), ["recordsPerSecond"] = Math.Round(records / seconds) });
            }
            else
            {
                output.Line(string.Create(CultureInfo.InvariantCulture, $"Produced {records:N0} records ({bytes / 1e6:F1} MB) to '{name}' in {seconds:F1} s: {records / seconds:N0} records/s, {bytes / 1e6 / seconds:F1} MB/s."));
            }

            return 0;
        });
        return command;
    }

    private static Command Consume(CommandContext context)
    {
        var topic = new Argument<string>("topic");
        var partition = new Option<int>("--partition", "-p") { Description = "Partition to read.", DefaultValueFactory = _ => 0 };
        var offset = new Option<string>("--offset") { Description = "earliest, latest, or an offset.", DefaultValueFactory = _ => "earliest" };
        var max = new Option<int>("--max", "-n") { Description = "Most records to print.", DefaultValueFactory = _ => 100 };
        var follow = new Option<bool>("--follow", "-f") { Description = "Tails the topic live (every partition unless --partition is given; from latest unless --offset earliest), until --max records or Ctrl+C." };
        var command = new Command("consume", "Reads records of one partition from an offset, or follows a topic live.") { topic, partition, offset, max, follow };
        command.SetAction(async (parsed, ct) =>
        {
            PlatformClient client = context.Client(parsed);
            Output output = context.Output(parsed);
            string name = Uri.EscapeDataString(parsed.GetValue(topic)!);
            if (parsed.GetValue(follow))
            {
                int left = parsed.GetValue(max);
                string query = $"from={(parsed.GetValue(offset) == "earliest" && parsed.GetResult(offset) is { Implicit: false } ? "earliest" : "latest")}&format=json"
                    + (parsed.GetResult(partition) is { Implicit: false } ? $"&partition={parsed.GetValue(partition)}" : string.Empty);
                await client.FollowAsync($"topics/{name}/stream?{query}", (kind, data) =>
                {
                    if (kind != "record") return true;
                    JsonNode? record = JsonNode.Parse(data);
                    output.Writer.WriteLine(output.Json ? record?.ToJsonString() : $"{Text(record?["partition"])}:{Text(record?["offset"])} {Text(record?["key"])} {record?["value"]?.ToJsonString()}");
                    output.Writer.Flush();
                    return --left > 0;
                }, ct);
                return 0;
            }

            int p = parsed.GetValue(partition);
            string from = parsed.GetValue(offset)!;
            if (from is not ("earliest" or "latest") && !long.TryParse(from, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                throw new CliException(CliException.Usage, "--offset must be earliest, latest or a number.");
            }

            int remaining = parsed.GetValue(max);
            var rows = new List<IReadOnlyList<string>>();
            while (remaining > 0)
            {
                JsonNode? page = await client.GetAsync($"topics/{name}/partitions/{p}/records?offset={from}&maxRecords={Math.Min(remaining, 1000)}&format=json", ct);
                JsonArray records = page?["records"]?.AsArray() ?? [];
                foreach (JsonNode? record in records)
                {
                    if (output.Json) output.Writer.WriteLine(record?.ToJsonString());
                    else rows.Add([Text(record?["offset"]), Text(record?["key"]), record?["value"]?.ToJsonString() ?? "null"]);
                }

                remaining -= records.Count;
                long next = page?["nextOffset"]?.GetValue<long>() ?? 0, end = page?["logEndOffset"]?.GetValue<long>() ?? 0;
                if (next >= end || (records.Count == 0 && from == next.ToString(CultureInfo.InvariantCulture)))
                {
                    break;
                }

                from = next.ToString(CultureInfo.InvariantCulture);
            }

            if (!output.Json) output.Table(["offset", "key", "value"], rows);
            return 0;
        });
        return command;
    }

    private static Command Groups(CommandContext context)
    {
        var group = new Argument<string>("group");
        var topic = new Argument<string>("topic");
        var describe = new Command("describe", "A group's committed offset and lag per partition of a topic, with the total.") { group, topic };
        describe.SetAction(async (parsed, ct) =>
        {
            JsonNode? lag = await context.Client(parsed).GetAsync($"groups/{Uri.EscapeDataString(parsed.GetValue(group)!)}/topics/{Uri.EscapeDataString(parsed.GetValue(topic)!)}", ct);
            Output output = context.Output(parsed);
            if (output.Json)
            {
                output.Write(lag);
                return 0;
            }

            JsonArray partitions = lag?["partitions"]?.AsArray() ?? [];
            output.Table(["partition", "committed", "log end", "lag"], partitions.Select(x => (IReadOnlyList<string>)[Text(x?["partition"]), Text(x?["committedOffset"]), Text(x?["logEndOffset"]), Text(x?["lag"])]));
            output.Line($"total lag: {partitions.Sum(x => x?["lag"]?.GetValue<long>() ?? 0)}");
            return 0;
        });
        var resetGroup = new Argument<string>("group");
        var resetTopic = new Argument<string>("topic");
        var to = new Option<string>("--to") { Description = "earliest, latest, offset or timestamp.", Required = true };
        to.AcceptOnlyFromAmong("earliest", "latest", "offset", "timestamp");
        var offset = new Option<long?>("--offset") { Description = "With --to offset: the offset every partition starts at." };
        var timestamp = new Option<string?>("--timestamp") { Description = "With --to timestamp: Unix ms or ISO 8601." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Shows what would change; changes nothing." };
        var reset = new Command("reset", "Moves a group's committed offsets (earliest, latest, an offset, a time).") { resetGroup, resetTopic, to, offset, timestamp, dryRun };
        reset.SetAction(async (parsed, ct) =>
        {
            PlatformClient client = context.Client(parsed);
            Output output = context.Output(parsed);
            string g = Uri.EscapeDataString(parsed.GetValue(resetGroup)!), t = Uri.EscapeDataString(parsed.GetValue(resetTopic)!);
            string target = parsed.GetValue(to)!;
            if (target == "offset" && parsed.GetValue(offset) is null) throw new CliException(CliException.Usage, "--to offset needs --offset.");
            if (target == "timestamp" && parsed.GetValue(timestamp) is null) throw new CliException(CliException.Usage, "--to timestamp needs --timestamp.");
            if (!parsed.GetValue(dryRun))
            {
                var body = new JsonObject { ["to"] = target };
                if (parsed.GetValue(offset) is { } o) body["offset"] = o;
                if (parsed.GetValue(timestamp) is { } ts) body["timestamp"] = ts;
                JsonNode? after = await client.PostAsync($"groups/{g}/topics/{t}/reset", body, ct);
                if (output.Json) output.Write(after);
                else output.Line($"Reset; lag now {Text(after?["lag"])}.");
                return 0;
            }

            // Dry run: the committed offsets now, beside where the reset would put them; nothing is sent that changes anything.
            JsonNode? now = await client.GetAsync($"groups/{g}/topics/{t}", ct);
            JsonNode? topic = await client.GetAsync($"topics/{t}", ct);
            var plan = new JsonArray();
            foreach (JsonNode? p in now?["partitions"]?.AsArray() ?? [])
            {
                int partition = p!["partition"]!.GetValue<int>();
                JsonNode? offsets = topic?["offsets"]?.AsArray().FirstOrDefault(x => x?["partition"]?.GetValue<int>() == partition);
                long earliest = offsets?["earliestOffset"]?.GetValue<long>() ?? 0, latest = offsets?["latestOffset"]?.GetValue<long>() ?? 0;
                long would = target switch
                {
                    "earliest" => earliest,
                    "latest" => latest,
                    "offset" => Math.Clamp(parsed.GetValue(offset)!.Value, earliest, latest),
                    _ => (await client.GetAsync($"topics/{t}/partitions/{partition}/records?timestamp={Uri.EscapeDataString(parsed.GetValue(timestamp)!)}&maxRecords=1", ct))?["records"]?.AsArray().FirstOrDefault()?["offset"]?.GetValue<long>() ?? latest,
                };
                plan.Add(new JsonObject { ["partition"] = partition, ["committedOffset"] = p["committedOffset"]?.DeepClone(), ["wouldBe"] = would });
            }

            if (output.Json) output.Write(new JsonObject { ["dryRun"] = true, ["partitions"] = plan });
            else output.Table(["partition", "committed", "would be"], plan.Select(x => (IReadOnlyList<string>)[Text(x?["partition"]), Text(x?["committedOffset"]), Text(x?["wouldBe"])]));
            return 0;
        });

        return new Command("groups", "Consumer groups: describe (lag), reset.") { describe, reset };
    }

    private static Command Keys(CommandContext context)
    {
        var list = new Command("list", "Lists the API keys (admin).");
        list.SetAction(async (parsed, ct) =>
        {
            JsonNode? keys = await context.Client(parsed).GetAsync("keys", ct);
            Output output = context.Output(parsed);
            if (output.Json) output.Write(keys);
            else output.Table(["id", "name"], keys?["keys"]?.AsArray().Select(k => (IReadOnlyList<string>)[Text(k?["id"]), Text(k?["name"])]) ?? []);
            return 0;
        });

        var id = new Argument<string>("id");
        var revoke = new Command("revoke", "Revokes an API key (admin).") { id };
        revoke.SetAction(async (parsed, ct) =>
        {
            await context.Client(parsed).DeleteAsync($"keys/{Uri.EscapeDataString(parsed.GetValue(id)!)}", ct);
            context.Output(parsed).Line($"Revoked key {parsed.GetValue(id)}.");
            return 0;
        });
        var keyName = new Argument<string>("name");
        var topics = new Option<string>("--topics") { Description = "Topic pattern the key may use (e.g. orders or orders.*).", DefaultValueFactory = _ => "*" };
        var operations = new Option<string[]>("--operations") { Description = "Operations granted: produce, consume, admin.", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => ["produce", "consume"] };
        var create = new Command("create", "Creates an API key; its secret is printed once.") { keyName, topics, operations };
        create.SetAction(async (parsed, ct) =>
        {
            var grant = new JsonObject { ["topics"] = parsed.GetValue(topics), ["operations"] = new JsonArray([.. parsed.GetValue(operations)!.Select(o => (JsonNode)o)]) };
            JsonNode? key = await context.Client(parsed).PostAsync("keys", new JsonObject { ["name"] = parsed.GetValue(keyName), ["grants"] = new JsonArray(grant) }, ct);
            Output output = context.Output(parsed);
            if (output.Json) output.Write(key);
            else output.Line($"Created key {Text(key?["id"])} ({Text(key?["name"])}). Its secret, shown once: {Text(key?["key"])}");
            return 0;
        });
        return new Command("keys", "API keys: create, list, revoke.") { create, list, revoke };
    }

    private static IEnumerable<string> ReadLines(TextReader reader)
    {
        while (reader.ReadLine() is { } line)
        {
            yield return line;
        }
    }

    private static string Text(JsonNode? node) => node switch
    {
        null => "",
        JsonValue v when v.TryGetValue(out string? s) => s,
        _ => node.ToJsonString(),
    };
}
