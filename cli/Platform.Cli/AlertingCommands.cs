using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Platform.Cli;

/// <summary><c>rules</c>, <c>alerts</c> and <c>silences</c>: Prometheus rule files, the alerts they raise, Alertmanager-style silences.</summary>
internal static class AlertingCommands
{
    public static Command Rules(CommandContext context)
    {
        var type = new Option<string?>("--type") { Description = "alert or record." };
        type.AcceptOnlyFromAmong("alert", "record");
        var list = new Command("list", "Every rule of every group, with its health and state.") { type };
        list.SetAction(async (parsed, ct) =>
        {
            JsonNode? rules = await context.Client(parsed).GetAsync(parsed.GetValue(type) is { } t ? $"rules?type={t}" : "rules", ct);
            Output output = context.Output(parsed);
            if (output.Json)
            {
                output.Write(rules);
                return 0;
            }

            var rows = new List<IReadOnlyList<string>>();
            foreach (JsonNode? group in rules?["data"]?["groups"]?.AsArray() ?? [])
            {
                foreach (JsonNode? rule in group?["rules"]?.AsArray() ?? [])
                {
                    rows.Add([JsonText.Of(group?["name"]), JsonText.Of(rule?["name"]), JsonText.Of(rule?["type"]), JsonText.Of(rule?["health"]), JsonText.Of(rule?["state"]), JsonText.Of(rule?["query"])]);
                }
            }

            output.Table(["group", "rule", "type", "health", "state", "query"], rows);
            return 0;
        });

        var group = new Argument<string>("group");
        var file = new Argument<FileInfo>("file") { Description = "A Prometheus rule file (YAML) with one group, or - for standard input." };
        var put = new Command("put", "Creates or replaces a rule group from a Prometheus rule file; a file that does not parse or check is refused with the reason.") { group, file };
        put.SetAction(async (parsed, ct) =>
        {
            FileInfo source = parsed.GetValue(file)!;
            string text = await context.ReadTextAsync(source, "the rule file", ct);
            JsonNode? stored = await context.Client(parsed).PutTextAsync($"rules/{JsonText.Escape(parsed.GetValue(group)!)}", text, "application/yaml", ct);
            Output output = context.Output(parsed);
            if (output.Json) output.Write(stored);
            else output.Line($"Stored rule group '{JsonText.Of(stored?["name"])}': {stored?["rules"]?.AsArray().Count ?? 0} rule(s), every {JsonText.Of(stored?["interval"])} s.");
            return 0;
        });

        var deleted = new Argument<string>("group");
        var delete = new Command("delete", "Deletes a rule group.") { deleted };
        delete.SetAction(async (parsed, ct) =>
        {
            await context.Client(parsed).DeleteAsync($"rules/{JsonText.Escape(parsed.GetValue(deleted)!)}", ct);
            context.Output(parsed).Line($"Deleted rule group '{parsed.GetValue(deleted)}'.");
            return 0;
        });
        return new Command("rules", "Prometheus alerting and recording rules: list, put, delete.") { list, put, delete };
    }

    public static Command Alerts(CommandContext context)
    {
        var list = new Command("list", "The alerts pending or firing now.");
        list.SetAction(async (parsed, ct) =>
        {
            JsonNode? alerts = await context.Client(parsed).GetAsync("alerts", ct);
            Output output = context.Output(parsed);
            if (output.Json)
            {
                output.Write(alerts);
                return 0;
            }

            output.Table(["alert", "state", "active since", "value", "labels"], alerts?["data"]?["alerts"]?.AsArray().Select(a => (IReadOnlyList<string>)
                [JsonText.Of(a?["labels"]?["alertname"]), JsonText.Of(a?["state"]), JsonText.Of(a?["activeAt"]), JsonText.Of(a?["value"]), Labels(a?["labels"])]) ?? []);
            return 0;
        });
        return new Command("alerts", "Alerts raised by the rules: list.") { list };
    }

    public static Command Silences(CommandContext context)
    {
        var list = new Command("list", "Every silence, with its state (active, pending, expired).");
        list.SetAction(async (parsed, ct) =>
        {
            JsonNode? silences = await context.Client(parsed).GetAsync("silences", ct);
            Output output = context.Output(parsed);
            if (output.Json) output.Write(silences);
            else output.Table(["id", "state", "matchers", "starts", "ends", "by", "comment"], silences?.AsArray().Select(s => (IReadOnlyList<string>)
                [JsonText.Of(s?["id"]), JsonText.Of(s?["status"]?["state"]), string.Join(", ", s?["matchers"]?.AsArray().Select(JsonText.Of) ?? []),
                 JsonText.Of(s?["startsAt"]), JsonText.Of(s?["endsAt"]), JsonText.Of(s?["createdBy"]), JsonText.Of(s?["comment"])]) ?? []);
            return 0;
        });

        var matchers = new Argument<string[]>("matchers") { Description = "Label matchers, such as alertname=\"DiskFull\" or job=~\"api|web\".", Arity = ArgumentArity.OneOrMore };
        var duration = new Option<TimeSpan>("--duration", "-d") { Description = "How long it lasts (e.g. 02:00:00 for two hours).", DefaultValueFactory = _ => TimeSpan.FromHours(1) };
        var comment = new Option<string?>("--comment", "-c") { Description = "Why." };
        var by = new Option<string?>("--created-by") { Description = "Who (default: the user name)." };
        var create = new Command("create", "Silences the alerts that match every matcher, from now for --duration.") { matchers, duration, comment, by };
        create.SetAction(async (parsed, ct) =>
        {
            TimeSpan lasts = parsed.GetValue(duration);
            if (lasts <= TimeSpan.Zero) throw new CliException(CliException.Usage, "--duration must be positive.");
            DateTimeOffset now = DateTimeOffset.UtcNow;
            var body = new JsonObject
            {
                ["matchers"] = new JsonArray([.. parsed.GetValue(matchers)!.Select(m => (JsonNode)m)]),
                ["startsAt"] = now.ToString("O", CultureInfo.InvariantCulture),
                ["endsAt"] = (now + lasts).ToString("O", CultureInfo.InvariantCulture),
                ["createdBy"] = parsed.GetValue(by) ?? Environment.UserName,
                ["comment"] = parsed.GetValue(comment) ?? "",
            };
            JsonNode? created = await context.Client(parsed).PostAsync("silences", body, ct);
            Output output = context.Output(parsed);
            if (output.Json) output.Write(created);
            else output.Line($"Created silence {JsonText.Of(created?["silenceID"])} until {(now + lasts).ToString("u", CultureInfo.InvariantCulture)}.");
            return 0;
        });

        var id = new Argument<string>("id");
        var expire = new Command("expire", "Ends a silence now.") { id };
        expire.SetAction(async (parsed, ct) =>
        {
            await context.Client(parsed).DeleteAsync($"silences/{JsonText.Escape(parsed.GetValue(id)!)}", ct);
            context.Output(parsed).Line($"Expired silence {parsed.GetValue(id)}.");
            return 0;
        });
        return new Command("silences", "Silences: list, create, expire.") { list, create, expire };
    }

    private static string Labels(JsonNode? labels) =>
        labels is JsonObject o ? string.Join(", ", o.Where(l => l.Key != "alertname").Select(l => $"{l.Key}={JsonText.Of(l.Value)}")) : "";
}
