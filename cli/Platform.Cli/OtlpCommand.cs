using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Platform.Cli;

/// <summary>
/// <c>otlp send</c>: a few test logs and metric points over OTLP/HTTP (JSON encoding), then where they landed in the
/// OTLP topics: the exporter's path checked end to end.
/// </summary>
internal static class OtlpCommand
{
    public static Command Create(CommandContext context)
    {
        var service = new Option<string>("--service") { Description = "The resource's service.name.", DefaultValueFactory = _ => "platform-cli-check" };
        var logs = new Option<int>("--logs") { Description = "Log records to send.", DefaultValueFactory = _ => 3 };
        var metrics = new Option<int>("--metrics") { Description = "Metric data points to send (a gauge and a counter, alternately).", DefaultValueFactory = _ => 2 };
        var logsTopic = new Option<string>("--logs-topic") { Description = "Where the platform puts logs.", DefaultValueFactory = _ => "otlp.logs" };
        var metricsTopic = new Option<string>("--metrics-topic") { Description = "Where the platform puts metrics.", DefaultValueFactory = _ => "otlp.metrics" };
        var send = new Command("send", "Sends test logs and metrics over OTLP/HTTP and shows the topic, partition and offset each signal landed at.") { service, logs, metrics, logsTopic, metricsTopic };
        send.SetAction(async (parsed, ct) =>
        {
            PlatformClient client = context.Client(parsed);
            string name = parsed.GetValue(service)!;
            int logCount = parsed.GetValue(logs), pointCount = parsed.GetValue(metrics);
            if (logCount < 0 || pointCount < 0 || logCount + pointCount == 0 || logCount > 1000 || pointCount > 1000)
            {
                throw new CliException(CliException.Usage, "Send between 1 and 1000 log records and/or metric points.");
            }

            string run = Guid.NewGuid().ToString("N")[..12];
            long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
            var results = new JsonArray();
            if (logCount > 0)
            {
                results.Add(await SendAsync(client, "logs", parsed.GetValue(logsTopic)!, name, LogsRequest(name, run, logCount, now), ct));
            }

            if (pointCount > 0)
            {
                results.Add(await SendAsync(client, "metrics", parsed.GetValue(metricsTopic)!, name, MetricsRequest(name, run, pointCount, now), ct));
            }

            Output output = context.Output(parsed);
            if (output.Json)
            {
                output.Write(new JsonObject { ["service"] = name, ["run"] = run, ["signals"] = results });
            }
            else
            {
                output.Table(["signal", "sent", "rejected", "topic", "partition", "offset"], results.Select(r => (IReadOnlyList<string>)
                    [JsonText.Of(r?["signal"]), JsonText.Of(r?["sent"]), JsonText.Of(r?["rejected"]), JsonText.Of(r?["topic"]), JsonText.Of(r?["partition"]), JsonText.Of(r?["offset"])]));
            }

            return results.All(r => r?["offset"] is not null && r["rejected"]?.GetValue<long>() == 0) ? 0 : CliException.Refused;
        });
        return new Command("otlp", "Checks the OTLP path: send.") { send };
    }

    private static async Task<JsonObject> SendAsync(PlatformClient client, string signal, string topic, string service, JsonObject request, CancellationToken ct)
    {
        string topicPath = $"topics/{JsonText.Escape(topic)}";
        Dictionary<int, long> before = Ends(await client.GetAsync(topicPath, ct));
        JsonNode? answer = await client.PostAsync($"v1/{signal}", request, ct);
        int sent = signal == "logs"
            ? request["resourceLogs"]![0]!["scopeLogs"]![0]!["logRecords"]!.AsArray().Count
            : request["resourceMetrics"]![0]!["scopeMetrics"]![0]!["metrics"]!.AsArray().Sum(m => (m?["gauge"] ?? m?["sum"])?["dataPoints"]?.AsArray().Count ?? 0);
        long rejected = answer?["partialSuccess"]?[signal == "logs" ? "rejectedLogRecords" : "rejectedDataPoints"] is JsonNode r ? long.Parse(JsonText.Of(r), CultureInfo.InvariantCulture) : 0;
        var result = new JsonObject { ["signal"] = signal, ["sent"] = sent, ["rejected"] = rejected, ["topic"] = topic };

        // Where it landed: the record keyed by the service among those appended since the ends were read.
        foreach ((int partition, long end) in Ends(await client.GetAsync(topicPath, ct)))
        {
            long from = before.GetValueOrDefault(partition);
            if (end <= from) continue;
            JsonNode? page = await client.GetAsync($"{topicPath}/partitions/{partition}/records?offset={from}&maxRecords={Math.Min(end - from, 1000)}&format=base64", ct);
            string key = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(service));
            if (page?["records"]?.AsArray().LastOrDefault(x => JsonText.Of(x?["keyBase64"]) == key) is { } record)
            {
                result["partition"] = partition;
                result["offset"] = record["offset"]?.DeepClone();
            }
        }

        return result;
    }

    private static Dictionary<int, long> Ends(JsonNode? topic) =>
        (topic?["offsets"]?.AsArray() ?? []).ToDictionary(p => p!["partition"]!.GetValue<int>(), p => p!["latestOffset"]!.GetValue<long>());

    private static JsonArray Resource(string service, string run) =>
    [
        new JsonObject { ["key"] = "service.name", ["value"] = new JsonObject { ["stringValue"] = service } },
        new JsonObject { ["key"] = "platform.cli.run", ["value"] = new JsonObject { ["stringValue"] = run } },
    ];

    private static JsonObject LogsRequest(string service, string run, int count, long nowNanos) => new()
    {
        ["resourceLogs"] = new JsonArray(new JsonObject
        {
            ["resource"] = new JsonObject { ["attributes"] = Resource(service, run) },
            ["scopeLogs"] = new JsonArray(new JsonObject
            {
                ["scope"] = new JsonObject { ["name"] = "platform-cli" },
                ["logRecords"] = new JsonArray([.. Enumerable.Range(0, count).Select(i => (JsonNode)new JsonObject
                {
                    ["timeUnixNano"] = (nowNanos + i).ToString(CultureInfo.InvariantCulture),
                    ["severityNumber"] = 9,
                    ["severityText"] = "INFO",
                    ["body"] = new JsonObject { ["stringValue"] = $"platform otlp send: test log {i + 1} of {count}" },
                })]),
            }),
        }),
    };

    private static JsonObject MetricsRequest(string service, string run, int count, long nowNanos)
    {
        JsonObject Point(int i) => new()
        {
            ["timeUnixNano"] = (nowNanos + i).ToString(CultureInfo.InvariantCulture),
            ["startTimeUnixNano"] = nowNanos.ToString(CultureInfo.InvariantCulture),
            ["asDouble"] = i + 1,
            ["attributes"] = new JsonArray(new JsonObject { ["key"] = "point", ["value"] = new JsonObject { ["intValue"] = i.ToString(CultureInfo.InvariantCulture) } }),
        };
        var gauges = Enumerable.Range(0, count).Where(i => i % 2 == 0).Select(Point).ToArray();
        var sums = Enumerable.Range(0, count).Where(i => i % 2 == 1).Select(Point).ToArray();
        var list = new JsonArray();
        if (gauges.Length > 0) list.Add(new JsonObject { ["name"] = "platform_cli_check", ["unit"] = "1", ["gauge"] = new JsonObject { ["dataPoints"] = new JsonArray([.. gauges]) } });
        if (sums.Length > 0) list.Add(new JsonObject { ["name"] = "platform_cli_check_total", ["unit"] = "1", ["sum"] = new JsonObject { ["aggregationTemporality"] = 2, ["isMonotonic"] = true, ["dataPoints"] = new JsonArray([.. sums]) } });
        return new JsonObject
        {
            ["resourceMetrics"] = new JsonArray(new JsonObject
            {
                ["resource"] = new JsonObject { ["attributes"] = Resource(service, run) },
                ["scopeMetrics"] = new JsonArray(new JsonObject { ["scope"] = new JsonObject { ["name"] = "platform-cli" }, ["metrics"] = list }),
            }),
        };
    }
}
