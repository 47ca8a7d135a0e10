using System.CommandLine;
using System.Text.Json.Nodes;

namespace Platform.Cli;

/// <summary><c>groups list | describe | reset</c>: what <c>kafka-consumer-groups</c> does.</summary>
internal static class GroupCommands
{
    public static Command Create(CommandContext context)
    {
        var group = new Argument<string>("group");
        var topic = new Argument<string>("topic");
        var describe = new Command("describe", "A group's committed offset and lag per partition of a topic, with the total.") { group, topic };
        describe.SetAction(async (parsed, ct) =>
        {
            JsonNode? lag = await context.Client(parsed).GetAsync($"groups/{JsonText.Escape(parsed.GetValue(group)!)}/topics/{JsonText.Escape(parsed.GetValue(topic)!)}", ct);
            Output output = context.Output(parsed);
            if (output.Json)
            {
                output.Write(lag);
                return 0;
            }

            JsonArray partitions = lag?["partitions"]?.AsArray() ?? [];
            output.Table(["partition", "committed", "log end", "lag"], partitions.Select(x => (IReadOnlyList<string>)[JsonText.Of(x?["partition"]), JsonText.Of(x?["committedOffset"]), JsonText.Of(x?["logEndOffset"]), JsonText.Of(x?["lag"])]));
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
            string g = JsonText.Escape(parsed.GetValue(resetGroup)!), t = JsonText.Escape(parsed.GetValue(resetTopic)!);
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
                else output.Line($"Reset; lag now {JsonText.Of(after?["lag"])}.");
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
            else output.Table(["partition", "committed", "would be"], plan.Select(x => (IReadOnlyList<string>)[JsonText.Of(x?["partition"]), JsonText.Of(x?["committedOffset"]), JsonText.Of(x?["wouldBe"])]));
            return 0;
        });

        return new Command("groups", "Consumer groups: list, describe (lag), reset.") { List(context), describe, reset };
    }


    private static Command List(CommandContext context)
    {
        var topic = new Option<string?>("--topic", "-t") { Description = "Only groups with committed offsets on this topic." };
        var list = new Command("list", "Every consumer group with committed offsets, per topic, with its total lag.") { topic };
        list.SetAction(async (parsed, ct) =>
        {
            string path = parsed.GetValue(topic) is { } t ? $"groups?topic={Uri.EscapeDataString(t)}" : "groups";
            JsonNode? all = await context.Client(parsed).GetAsync(path, ct);
            Output output = context.Output(parsed);
            if (output.Json)
            {
                output.Write(all);
                return 0;
            }

            output.Table(["group", "topic", "partitions committed", "lag"], all?["groups"]?.AsArray().Select(g => (IReadOnlyList<string>)
                [JsonText.Of(g?["group"]), JsonText.Of(g?["topic"]), JsonText.Of(g?["partitionsCommitted"]), JsonText.Of(g?["lag"])]) ?? []);
            return 0;
        });
        return list;
    }
}
