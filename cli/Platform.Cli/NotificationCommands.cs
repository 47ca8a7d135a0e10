using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Platform.Cli;

/// <summary><c>notifications send | status</c>: a message to the notifications topic, and what became of it per recipient.</summary>
internal static class NotificationCommands
{
    public static Command Create(CommandContext context)
    {
        var email = new Option<string[]>("--email") { Description = "An e-mail recipient (repeatable)." };
        var webhook = new Option<string[]>("--webhook") { Description = "A configured webhook's name (repeatable)." };
        var slack = new Option<string[]>("--slack") { Description = "A configured Slack channel's name (repeatable)." };
        var subject = new Option<string?>("--subject", "-s") { Description = "The subject (with --text or --html)." };
        var text = new Option<string?>("--text") { Description = "The plain-text body." };
        var html = new Option<string?>("--html") { Description = "The HTML body." };
        var template = new Option<string?>("--template") { Description = "A stored template's name, instead of subject and body." };
        var data = new Option<string?>("--data") { Description = "The template's data, a JSON object." };
        var id = new Option<string?>("--id") { Description = "The notification's id (default: a new one); sending the same id again is delivered once." };
        var notBefore = new Option<string?>("--not-before") { Description = "Not sent before this time (ISO 8601)." };
        var topic = new Option<string>("--topic") { Description = "The notifications topic.", DefaultValueFactory = _ => "notifications" };
        var send = new Command("send", "Sends a notification: produces one message to the notifications topic; 'status ID' shows what became of it.")
        {
            email, webhook, slack, subject, text, html, template, data, id, notBefore, topic,
        };
        send.SetAction(async (parsed, ct) =>
        {
            var to = new JsonObject();
            foreach ((string channel, Option<string[]> option) in new[] { ("email", email), ("webhook", webhook), ("slack", slack) })
            {
                if (parsed.GetValue(option) is { Length: > 0 } recipients) to[channel] = new JsonArray([.. recipients.Select(r => (JsonNode)r)]);
            }

            if (to.Count == 0) throw new CliException(CliException.Usage, "Give at least one recipient: --email, --webhook or --slack.");
            string notificationId = parsed.GetValue(id) ?? $"cli-{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}"[..40];
            var message = new JsonObject { ["id"] = notificationId, ["to"] = to };
            if (parsed.GetValue(template) is { } name)
            {
                message["template"] = name;
                try
                {
                    message["data"] = parsed.GetValue(data) is { } json ? JsonNode.Parse(json) : new JsonObject();
                }
                catch (System.Text.Json.JsonException e)
                {
                    throw new CliException(CliException.Usage, $"--data is not JSON: {e.Message}");
                }
            }
            else
            {
                var body = new JsonObject();
                if (parsed.GetValue(text) is { } t) body["text"] = t;
                if (parsed.GetValue(html) is { } h) body["html"] = h;
                if (parsed.GetValue(subject) is not { } s || body.Count == 0) throw new CliException(CliException.Usage, "Give --subject with --text or --html, or a --template.");
                message["subject"] = s;
                message["body"] = body;
            }

            if (parsed.GetValue(notBefore) is { } when) message["notBefore"] = when;
            string key = to.First().Value!.AsArray()[0]!.GetValue<string>();
            JsonNode? produced = await context.Client(parsed).PostAsync($"topics/{JsonText.Escape(parsed.GetValue(topic)!)}/records",
                new JsonObject { ["records"] = new JsonArray(new JsonObject { ["key"] = key, ["value"] = message }) }, ct);
            Output output = context.Output(parsed);
            if (output.Json) output.Write(new JsonObject { ["id"] = notificationId, ["produced"] = produced });
            else output.Line($"Queued notification {notificationId}; 'platform notifications status {notificationId}' shows its delivery.");
            return 0;
        });

        var statusId = new Argument<string>("id");
        var status = new Command("status", "What became of a notification, per recipient (scheduled, sent, failed, rejected, …).") { statusId };
        status.SetAction(async (parsed, ct) =>
        {
            JsonNode? outcome = await context.Client(parsed).GetAsync($"notifications/{JsonText.Escape(parsed.GetValue(statusId)!)}", ct);
            Output output = context.Output(parsed);
            if (output.Json) output.Write(outcome);
            else output.Table(["channel", "recipient", "state", "reason", "at"], outcome?["recipients"]?.AsArray().Select(r => (IReadOnlyList<string>)
                [JsonText.Of(r?["channel"]), JsonText.Of(r?["recipient"]), JsonText.Of(r?["state"]), JsonText.Of(r?["reason"]), JsonText.Of(r?["at"])]) ?? []);
            return 0;
        });
        return new Command("notifications", "Notifications: send, status.") { send, status };
    }
}
