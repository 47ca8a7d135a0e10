using System.CommandLine;
using System.Text.Json.Nodes;

namespace Platform.Cli;

/// <summary><c>topics list | describe | create | config | delete</c>: what <c>kafka-topics</c> and <c>kafka-configs</c> do.</summary>
internal static class TopicCommands
{
    public static Command Create(CommandContext context) =>
        new("topics", "Topics: list, describe, create, config (change settings), delete.") { List(context), Describe(context), New(context), Config(context), Delete(context) };

    private static Command List(CommandContext context)
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
                [JsonText.Of(t?["name"]), JsonText.Of(t?["partitions"]), JsonText.Of(t?["cleanupPolicy"]), JsonText.Of(t?["retentionMs"]), JsonText.Of(t?["compression"])]) ?? []);
            return 0;
        });
        return list;
    }

    private static Command Describe(CommandContext context)
    {
        var name = new Argument<string>("topic");
        var describe = new Command("describe", "A topic's settings and the earliest and latest offset of each partition.") { name };
        describe.SetAction(async (parsed, ct) =>
        {
            JsonNode? topic = await context.Client(parsed).GetAsync($"topics/{JsonText.Escape(parsed.GetValue(name)!)}", ct);
            Output output = context.Output(parsed);
            if (output.Json)
            {
                output.Write(topic);
                return 0;
            }

            output.Line(Settings(topic));
            JsonArray offsets = topic?["offsets"]?.AsArray() ?? [];
            output.Table(["partition", "earliest", "latest", "records"], offsets.Select(p => (IReadOnlyList<string>)
                [JsonText.Of(p?["partition"]), JsonText.Of(p?["earliestOffset"]), JsonText.Of(p?["latestOffset"]), ((p?["latestOffset"]?.GetValue<long>() ?? 0) - (p?["earliestOffset"]?.GetValue<long>() ?? 0)).ToString(System.Globalization.CultureInfo.InvariantCulture)]));
            return 0;
        });
        return describe;
    }

    private static Command New(CommandContext context)
    {
        var name = new Argument<string>("topic");
        var partitions = new Option<int>("--partitions", "-p") { Description = "Number of partitions.", DefaultValueFactory = _ => 1 };
        var settings = new TopicSettingOptions();
        var create = new Command("create", "Creates a topic.") { name, partitions };
        settings.AddTo(create);
        create.SetAction(async (parsed, ct) =>
        {
            var body = new JsonObject { ["name"] = parsed.GetValue(name), ["partitions"] = parsed.GetValue(partitions) };
            settings.Fill(parsed, body);
            JsonNode? created = await context.Client(parsed).PostAsync("topics", body, ct);
            Output output = context.Output(parsed);
            if (output.Json) output.Write(created);
            else output.Line($"Created topic '{JsonText.Of(created?["name"])}' with {JsonText.Of(created?["partitions"])} partition(s).");
            return 0;
        });
        return create;
    }

    private static Command Config(CommandContext context)
    {
        var name = new Argument<string>("topic");
        var settings = new TopicSettingOptions();
        var config = new Command("config", "Shows a topic's settings, or changes those given (Kafka's kafka-configs --alter); the partition count cannot change.") { name };
        settings.AddTo(config);
        config.SetAction(async (parsed, ct) =>
        {
            PlatformClient client = context.Client(parsed);
            string path = $"topics/{JsonText.Escape(parsed.GetValue(name)!)}";
            var body = new JsonObject();
            settings.Fill(parsed, body);
            JsonNode? topic = body.Count == 0 ? await client.GetAsync(path, ct) : await client.PatchAsync(path, body, ct);
            Output output = context.Output(parsed);
            if (output.Json)
            {
                topic?.AsObject().Remove("offsets");
                output.Write(topic);
            }
            else
            {
                output.Line((body.Count == 0 ? "" : "Changed. ") + Settings(topic));
            }

            return 0;
        });
        return config;
    }

    private static Command Delete(CommandContext context)
    {
        var name = new Argument<string>("topic");
        var yes = new Option<bool>("--yes", "-y") { Description = "Deletes without asking (needed when standard input is not a terminal)." };
        var delete = new Command("delete", "Deletes a topic: gone for clients at once, its data removed after a grace period, then the name is free again.") { name, yes };
        delete.SetAction(async (parsed, ct) =>
        {
            string topic = parsed.GetValue(name)!;
            context.ConfirmDeletion(parsed.GetValue(yes), "topic", topic, "all its records");

            JsonNode? deleted = await context.Client(parsed).DeleteAsync($"topics/{JsonText.Escape(topic)}", ct);
            Output output = context.Output(parsed);
            if (output.Json) output.Write(deleted);
            else output.Line($"Deleted topic '{topic}'; its data is removed after {JsonText.Of(deleted?["dataRemovedAfter"])}.");
            return 0;
        });
        return delete;
    }

    private static string Settings(JsonNode? topic)
    {
        string text = $"{JsonText.Of(topic?["name"])}: {JsonText.Of(topic?["partitions"])} partition(s), cleanup {JsonText.Of(topic?["cleanupPolicy"])}, "
            + $"retention {JsonText.Of(topic?["retentionMs"])} ms / {JsonText.Of(topic?["retentionBytes"])} bytes, segment {JsonText.Of(topic?["segmentMs"])} ms, "
            + $"compression {JsonText.Of(topic?["compression"])}, max record {JsonText.Of(topic?["maxRecordBytes"])} bytes";
        return topic?["compaction"] is JsonObject c
            ? text + $", compaction lag {JsonText.Of(c["minCompactionLagMs"])}..{JsonText.Of(c["maxCompactionLagMs"])} ms, tombstones kept {JsonText.Of(c["deleteRetentionMs"])} ms, dirty ratio {JsonText.Of(c["minCleanableDirtyRatio"])}"
            : text;
    }

    /// <summary>The settings a topic is created or changed with; only those given are sent.</summary>
    private sealed class TopicSettingOptions
    {
        private readonly Option<string?> _cleanup = new("--cleanup-policy") { Description = "delete, compact or compact,delete." };
        private readonly Option<long?> _retention = new("--retention-ms") { Description = "How long records are kept (-1: forever)." };
        private readonly Option<long?> _retentionBytes = new("--retention-bytes") { Description = "Bytes kept per partition (-1: no limit)." };
        private readonly Option<long?> _segmentMs = new("--segment-ms") { Description = "Seal the active segment once its first record is this old (-1: by size only)." };
        private readonly Option<string?> _compression = new("--compression") { Description = "none, gzip or zstd." };
        private readonly Option<int?> _maxRecord = new("--max-record-bytes") { Description = "Largest record accepted." };
        private readonly Option<long?> _minLag = new("--min-compaction-lag-ms") { Description = "Compaction leaves younger records alone." };
        private readonly Option<long?> _maxLag = new("--max-compaction-lag-ms") { Description = "Compact within about this long (-1: no bound)." };
        private readonly Option<long?> _deleteRetention = new("--delete-retention-ms") { Description = "How long a tombstone stays readable." };
        private readonly Option<double?> _dirtyRatio = new("--min-cleanable-dirty-ratio") { Description = "Compaction runs once this share is dirty (0..1)." };

        public void AddTo(Command command)
        {
            foreach (Option option in (Option[])[_cleanup, _retention, _retentionBytes, _segmentMs, _compression, _maxRecord, _minLag, _maxLag, _deleteRetention, _dirtyRatio])
            {
                command.Options.Add(option);
            }
        }

        public void Fill(ParseResult parsed, JsonObject body)
        {
            if (parsed.GetValue(_cleanup) is { } c) body["cleanupPolicy"] = c;
            if (parsed.GetValue(_retention) is { } r) body["retentionMs"] = r;
            if (parsed.GetValue(_retentionBytes) is { } rb) body["retentionBytes"] = rb;
            if (parsed.GetValue(_segmentMs) is { } sm) body["segmentMs"] = sm;
            if (parsed.GetValue(_compression) is { } z) body["compression"] = z;
            if (parsed.GetValue(_maxRecord) is { } m) body["maxRecordBytes"] = m;
            if (parsed.GetValue(_minLag) is { } min) body["minCompactionLagMs"] = min;
            if (parsed.GetValue(_maxLag) is { } max) body["maxCompactionLagMs"] = max;
            if (parsed.GetValue(_deleteRetention) is { } d) body["deleteRetentionMs"] = d;
            if (parsed.GetValue(_dirtyRatio) is { } ratio) body["minCleanableDirtyRatio"] = ratio;
        }
    }
}
