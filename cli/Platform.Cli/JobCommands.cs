using System.CommandLine;
using System.Text.Json.Nodes;

namespace Platform.Cli;

/// <summary><c>jobs list | describe | put | pause | resume | reset | delete | results</c>: stream jobs.</summary>
internal static class JobCommands
{
    public static Command Create(CommandContext context)
    {
        var list = new Command("list", "Every stream job with its state.");
        list.SetAction(async (parsed, ct) =>
        {
            JsonNode? jobs = await context.Client(parsed).GetAsync("jobs", ct);
            Output output = context.Output(parsed);
            if (output.Json) output.Write(jobs);
            else output.Table(["job", "state", "from", "to", "kind"], jobs?["jobs"]?.AsArray().Select(j => (IReadOnlyList<string>)
                [JsonText.Of(j?["name"]), JsonText.Of(j?["state"]), Join(j?["from"]), Join(j?["to"]), JsonText.Of(j?["kind"])]) ?? []);
            return 0;
        });

        var name = new Argument<string>("job");
        var describe = new Command("describe", "A job's state and, per input partition, its position, lag, watermark and late records.") { name };
        describe.SetAction(async (parsed, ct) => Show(context, parsed, await context.Client(parsed).GetAsync($"jobs/{JsonText.Escape(parsed.GetValue(name)!)}", ct)));

        var putName = new Argument<string>("job");
        var file = new Argument<FileInfo>("file") { Description = "The definition, YAML or JSON (- for standard input)." };
        var put = new Command("put", "Stores a job from its definition; refused with every reason when it cannot run.") { putName, file };
        put.SetAction(async (parsed, ct) =>
        {
            FileInfo source = parsed.GetValue(file)!;
            string text = await context.ReadTextAsync(source, "the definition", ct);
            return Show(context, parsed, await context.Client(parsed).PutTextAsync($"jobs/{JsonText.Escape(parsed.GetValue(putName)!)}", text, source.Extension == ".json" ? "application/json" : "application/yaml", ct));
        });

        Command Simple(string verb, string description)
        {
            var job = new Argument<string>("job");
            var command = new Command(verb, description) { job };
            command.SetAction(async (parsed, ct) => Show(context, parsed, await context.Client(parsed).PostAsync($"jobs/{JsonText.Escape(parsed.GetValue(job)!)}/{verb}", null, ct)));
            return command;
        }

        var resetName = new Argument<string>("job");
        var to = new Option<string>("--to") { Description = "earliest, latest or timestamp.", Required = true };
        to.AcceptOnlyFromAmong("earliest", "latest", "timestamp");
        var timestamp = new Option<string?>("--timestamp") { Description = "With --to timestamp: Unix ms or ISO 8601." };
        var reset = new Command("reset", "Starts a job over from a position, with no windows and no results (its outputs are written again from there).") { resetName, to, timestamp };
        reset.SetAction(async (parsed, ct) =>
        {
            var body = new JsonObject { ["to"] = parsed.GetValue(to) };
            if (parsed.GetValue(timestamp) is { } t) body["timestamp"] = t;
            else if (parsed.GetValue(to) == "timestamp") throw new CliException(CliException.Usage, "--to timestamp needs --timestamp.");
            return Show(context, parsed, await context.Client(parsed).PostAsync($"jobs/{JsonText.Escape(parsed.GetValue(resetName)!)}/reset", body, ct));
        });

        var deleteName = new Argument<string>("job");
        var yes = new Option<bool>("--yes", "-y") { Description = "Deletes without asking (needed when standard input is not a terminal)." };
        var delete = new Command("delete", "Deletes a job with its state and results (its output topics stay).") { deleteName, yes };
        delete.SetAction(async (parsed, ct) =>
        {
            string job = parsed.GetValue(deleteName)!;
            context.ConfirmDeletion(parsed.GetValue(yes), "job", job, "its state and results");
            await context.Client(parsed).DeleteAsync($"jobs/{JsonText.Escape(job)}", ct);
            context.Output(parsed).Line($"Deleted job '{job}'.");
            return 0;
        });

        var resultsName = new Argument<string>("job");
        var key = new Option<string?>("--key", "-k") { Description = "One key's results." };
        var from = new Option<string?>("--from") { Description = "Windows starting at or after (Unix ms or ISO 8601)." };
        var until = new Option<string?>("--to") { Description = "Windows starting before (Unix ms or ISO 8601)." };
        var limit = new Option<int>("--limit", "-n") { Description = "Most results.", DefaultValueFactory = _ => 100 };
        var results = new Command("results", "A job's window results from its results table.") { resultsName, key, from, until, limit };
        results.SetAction(async (parsed, ct) =>
        {
            string query = $"limit={parsed.GetValue(limit)}"
                + (parsed.GetValue(key) is { } k ? $"&key={Uri.EscapeDataString(k)}" : "")
                + (parsed.GetValue(from) is { } f ? $"&from={Uri.EscapeDataString(f)}" : "")
                + (parsed.GetValue(until) is { } u ? $"&to={Uri.EscapeDataString(u)}" : "");
            JsonNode? found = await context.Client(parsed).GetAsync($"jobs/{JsonText.Escape(parsed.GetValue(resultsName)!)}/results?{query}", ct);
            Output output = context.Output(parsed);
            if (output.Json)
            {
                output.Write(found);
                return 0;
            }

            JsonArray rows = found?["results"]?.AsArray() ?? [];
            string[] fields = [.. rows.OfType<JsonObject>().SelectMany(r => r.Select(p => p.Key)).Where(k => k is not ("key" or "start" or "end" or "final")).Distinct()];
            output.Table(["key", "start", "end", .. fields], rows.Select(r => (IReadOnlyList<string>)
                [JsonText.Of(r?["key"]), JsonText.Time(r?["start"], "yyyy-MM-dd HH:mm:ss"), JsonText.Time(r?["end"], "yyyy-MM-dd HH:mm:ss"), .. fields.Select(f => JsonText.Of(r?[f]))]));
            return 0;
        });

        return new Command("jobs", "Stream jobs: list, describe, put, pause, resume, reset, delete, results.")
        {
            list, describe, put, Simple("pause", "Stops a job (a run in progress finishes its batch)."), Simple("resume", "Starts a paused job again."), reset, delete, results,
        };
    }

    private static int Show(CommandContext context, ParseResult parsed, JsonNode? job)
    {
        Output output = context.Output(parsed);
        if (output.Json)
        {
            output.Write(job);
            return 0;
        }

        output.Line($"{JsonText.Of(job?["name"])}: {JsonText.Of(job?["state"])}{(job?["problem"] is JsonNode p && p.GetValueKind() != System.Text.Json.JsonValueKind.Null ? $" ({JsonText.Of(p)})" : "")}, "
            + $"from {Join(job?["from"])} to {Join(job?["to"])}, lag {JsonText.Of(job?["lag"])}, late {JsonText.Of(job?["late"])}, dead letters in {JsonText.Of(job?["deadLetters"])}");
        output.Table(["topic", "partition", "next", "log end", "lag", "watermark", "late"], job?["partitions"]?.AsArray().Select(p => (IReadOnlyList<string>)
            [JsonText.Of(p?["topic"]), JsonText.Of(p?["partition"]), JsonText.Of(p?["next"]), JsonText.Of(p?["logEndOffset"]), JsonText.Of(p?["lag"]), JsonText.Time(p?["watermark"], "yyyy-MM-dd HH:mm:ss"), JsonText.Of(p?["late"])]) ?? []);
        return 0;
    }

    private static string Join(JsonNode? list) => list is JsonArray a ? string.Join(", ", a.Select(JsonText.Of)) : JsonText.Of(list);

}
