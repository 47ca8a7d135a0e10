using System.CommandLine;
using System.Text.Json.Nodes;

namespace Platform.Cli;

/// <summary><c>keys create | list | revoke</c>: API keys (admin).</summary>
internal static class KeyCommands
{
    public static Command Create(CommandContext context)
    {
        var list = new Command("list", "Lists the API keys (admin).");
        list.SetAction(async (parsed, ct) =>
        {
            JsonNode? keys = await context.Client(parsed).GetAsync("keys", ct);
            Output output = context.Output(parsed);
            if (output.Json) output.Write(keys);
            else output.Table(["id", "name"], keys?["keys"]?.AsArray().Select(k => (IReadOnlyList<string>)[JsonText.Of(k?["id"]), JsonText.Of(k?["name"])]) ?? []);
            return 0;
        });

        var id = new Argument<string>("id");
        var revoke = new Command("revoke", "Revokes an API key (admin).") { id };
        revoke.SetAction(async (parsed, ct) =>
        {
            await context.Client(parsed).DeleteAsync($"keys/{JsonText.Escape(parsed.GetValue(id)!)}", ct);
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
            else output.Line($"Created key {JsonText.Of(key?["id"])} ({JsonText.Of(key?["name"])}). Its secret, shown once: {JsonText.Of(key?["key"])}");
            return 0;
        });
        return new Command("keys", "API keys: create, list, revoke.") { create, list, revoke };
    }

}
