using System.CommandLine;
using System.Text.Json.Nodes;

namespace Platform.Cli;

/// <summary><c>login</c> (a profile) and <c>status</c> (is the endpoint there, is the key good).</summary>
internal static class AccountCommands
{
    public static Command Login()
    {
        var url = new Argument<string>("url") { Description = "The platform's base URL." };
        var key = new Argument<string>("api-key") { Description = "An API key." };
        var command = new Command("login", "Saves an endpoint and API key (and a deployment's Functions host key, --functions-key) as a profile (a file only you can read).") { url, key };
        command.SetAction(parsed =>
        {
            string address = parsed.GetValue(url)!;
            if (!Uri.TryCreate(address, UriKind.Absolute, out Uri? uri) || uri.Scheme is not ("http" or "https"))
            {
                throw new CliException(CliException.Usage, $"'{address}' is not an http(s) URL.");
            }

            Profiles.Save(Profiles.DefaultPath, parsed.GetValue(CliApp.Profile)!, address, parsed.GetValue(key)!, parsed.GetValue(CliApp.FunctionsKey));
            parsed.InvocationConfiguration.Output.WriteLine($"Saved profile '{parsed.GetValue(CliApp.Profile)}' in {Profiles.DefaultPath}.");
            return 0;
        });
        return command;
    }

    public static Command Status(CommandContext context)
    {
        var command = new Command("status", "Checks that the endpoint answers and the key is accepted.");
        command.SetAction(async (parsed, ct) =>
        {
            PlatformClient client = context.Client(parsed);
            JsonNode? health = await client.GetAsync("health", ct);
            JsonNode? topics = await client.GetAsync("topics", ct);
            Output output = context.Output(parsed);
            int count = topics?["topics"]?.AsArray().Count ?? 0;
            if (output.Json)
            {
                output.Write(new JsonObject { ["url"] = client.BaseUrl, ["ok"] = true, ["health"] = health?.DeepClone(), ["topics"] = count });
            }
            else
            {
                output.Line($"{client.BaseUrl}: ok, {count} topic(s) visible to this key");
            }

            return 0;
        });
        return command;
    }
}
