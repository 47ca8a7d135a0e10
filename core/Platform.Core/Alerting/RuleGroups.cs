using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Platform.Core.Alerting.Evaluation;
using Platform.Core.Alerting.Rules;
using Platform.Core.Storage;

namespace Platform.Core.Alerting;

/// <summary>
/// Rule groups through the API: upload (validated as promtool would, a file of exactly one group named as in the
/// route), delete, and the views of Prometheus's <c>/api/v1/rules</c> and <c>/api/v1/alerts</c>.
/// </summary>
public sealed class RuleGroups(IRuleStore rules, IAlertStateStore states, IOptions<AlertingOptions> options, TimeProvider time)
{
    /// <summary>The largest rule file one group may be (the table keeps it in one property).</summary>
    public const int MaxSourceChars = 32_000;

    /// <summary>Validates and stores a group; throws <see cref="RuleFileException"/> naming every problem.</summary>
    public async Task<RuleGroup> PutAsync(string name, string source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Length > MaxSourceChars) throw new RuleFileException($"A rule group may be at most {MaxSourceChars} characters; split it into groups.");
        var groups = RuleFileParser.Parse(source, options.Value.DefaultInterval);
        if (groups.Count != 1) throw new RuleFileException($"The body must hold exactly one group (groups: [ {{name: {name}, …}} ]), not {groups.Count}.");
        if (groups[0].Name != name) throw new RuleFileException($"The group in the body is named \"{groups[0].Name}\", the route names \"{name}\".");
        await rules.PutAsync(new StoredRuleGroup(name, source, time.GetUtcNow().ToUnixTimeMilliseconds()), cancellationToken).ConfigureAwait(false);
        return groups[0];
    }

    /// <summary>Deletes a group and its state; false when there was none.</summary>
    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        var existed = await rules.DeleteAsync(name, cancellationToken).ConfigureAwait(false);
        await states.DeleteAsync(name, cancellationToken).ConfigureAwait(false);
        return existed;
    }

    /// <summary>Loads every rule file of a folder at start: each group replaces the stored one of its name.</summary>
    public async Task LoadDirectoryAsync(string directory, CancellationToken cancellationToken)
    {
        foreach (var file in Directory.EnumerateFiles(directory).Where(f => f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal))
        {
            var text = await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false);
            IReadOnlyList<RuleGroup> groups;
            try
            {
                groups = RuleFileParser.Parse(text, options.Value.DefaultInterval);
            }
            catch (RuleFileException e)
            {
                throw new RuleFileException($"{Path.GetFileName(file)}: {e.Message}");
            }
            var sources = RuleFileParser.SplitGroups(text);
            foreach (var group in groups)
            {
                await rules.PutAsync(new StoredRuleGroup(group.Name, sources[group.Name], time.GetUtcNow().ToUnixTimeMilliseconds()), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The body of Prometheus's <c>GET /api/v1/rules</c>.</summary>
    public async Task<byte[]> RulesViewAsync(string? type, CancellationToken cancellationToken)
    {
        var all = await ParsedAsync(cancellationToken).ConfigureAwait(false);
        return Write(w =>
        {
            w.WriteStartObject("data");
            w.WriteStartArray("groups");
            foreach (var (stored, group, state) in all)
            {
                w.WriteStartObject();
                w.WriteString("name", group.Name);
                w.WriteString("file", "api/" + group.Name);
                w.WriteNumber("interval", group.Interval.TotalSeconds);
                w.WriteNumber("limit", group.Limit);
                w.WriteStartArray("rules");
                foreach (var (rule, key) in RuleGroupEvaluator.Keys(group))
                {
                    if (type == "alert" && !rule.IsAlerting || type == "record" && rule.IsAlerting) continue;
                    var ruleState = state?.Rules.GetValueOrDefault(key);
                    w.WriteStartObject();
                    w.WriteString("name", rule.Name);
                    w.WriteString("query", rule.ExprText);
                    if (rule.IsAlerting)
                    {
                        w.WriteNumber("duration", rule.For.TotalSeconds);
                        w.WriteNumber("keepFiringFor", rule.KeepFiringFor.TotalSeconds);
                    }
                    WriteMap(w, "labels", rule.Labels);
                    if (rule.IsAlerting)
                    {
                        WriteMap(w, "annotations", rule.Annotations);
                        var alerts = ruleState?.Alerts.Values.Where(a => a.State != AlertStatus.Inactive).ToList() ?? [];
                        w.WriteString("state", alerts.Any(a => a.State == AlertStatus.Firing) ? "firing" : alerts.Count > 0 ? "pending" : "inactive");
                        w.WriteStartArray("alerts");
                        foreach (var alert in alerts) WriteAlert(w, alert);
                        w.WriteEndArray();
                    }
                    w.WriteString("health", ruleState?.Health ?? "unknown");
                    w.WriteString("lastError", ruleState?.LastError ?? "");
                    w.WriteNumber("evaluationTime", ruleState?.EvaluationSeconds ?? 0);
                    w.WriteString("lastEvaluation", Time(ruleState?.LastEvaluation ?? 0));
                    w.WriteString("type", rule.IsAlerting ? "alerting" : "recording");
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteNumber("evaluationTime", state?.EvaluationSeconds ?? 0);
                w.WriteString("lastEvaluation", Time(state?.LastEvaluation ?? 0));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    /// <summary>The body of Prometheus's <c>GET /api/v1/alerts</c>: every pending and firing alert.</summary>
    public async Task<byte[]> AlertsViewAsync(CancellationToken cancellationToken)
    {
        var all = await ParsedAsync(cancellationToken).ConfigureAwait(false);
        return Write(w =>
        {
            w.WriteStartObject("data");
            w.WriteStartArray("alerts");
            foreach (var (_, _, state) in all)
            {
                foreach (var alert in state?.Rules.Values.SelectMany(r => r.Alerts.Values).Where(a => a.State != AlertStatus.Inactive) ?? [])
                {
                    WriteAlert(w, alert);
                }
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private async Task<List<(StoredRuleGroup Stored, RuleGroup Group, GroupState? State)>> ParsedAsync(CancellationToken cancellationToken)
    {
        var result = new List<(StoredRuleGroup, RuleGroup, GroupState?)>();
        foreach (var stored in await rules.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            IReadOnlyList<RuleGroup> groups;
            try
            {
                groups = RuleFileParser.Parse(stored.Source, options.Value.DefaultInterval);
            }
            catch (RuleFileException)
            {
                continue;
            }
            var state = (await states.LoadAsync(stored.Name, cancellationToken).ConfigureAwait(false))?.State;
            result.AddRange(groups.Select(g => (stored, g, state)));
        }
        return result;
    }

    private static void WriteAlert(Utf8JsonWriter w, ActiveAlert alert)
    {
        w.WriteStartObject();
        WriteMap(w, "labels", alert.Labels);
        WriteMap(w, "annotations", alert.Annotations);
        w.WriteString("state", alert.StateName);
        w.WriteString("activeAt", Time(alert.ActiveAt));
        w.WriteString("value", Promql.Api.PromFloat.Format(alert.Value));
        w.WriteEndObject();
    }

    private static void WriteMap(Utf8JsonWriter w, string name, IReadOnlyDictionary<string, string> map)
    {
        w.WriteStartObject(name);
        foreach (var (key, value) in map.OrderBy(p => p.Key, StringComparer.Ordinal)) w.WriteString(key, value);
        w.WriteEndObject();
    }

    private static string Time(long ms) => ms == 0
        ? "0001-01-01T00:00:00Z"
        : DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    private static byte[] Write(Action<Utf8JsonWriter> data)
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("status", "success");
            data(w);
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
