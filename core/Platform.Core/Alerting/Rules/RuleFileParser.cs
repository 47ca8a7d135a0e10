using Platform.Core.Alerting.Templates;
using Platform.Promql.Parser;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Platform.Core.Alerting.Rules;

/// <summary>
/// Reads and checks Prometheus rule files (YAML; JSON is YAML too) the way <c>promtool check rules</c> does: unknown
/// fields, empty or repeated group names, rules that are both or neither kind, expressions that do not parse (or use
/// what this engine does not evaluate), bad names, label and annotation names, durations, and templates. Every problem
/// is reported, each naming its group and rule.
/// </summary>
public static class RuleFileParser
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .WithDuplicateKeyChecking()
        .Build();

    /// <summary>Parses and validates a rule file; throws <see cref="RuleFileException"/> with every problem.</summary>
    public static IReadOnlyList<RuleGroup> Parse(string text, TimeSpan defaultInterval)
    {
        ArgumentNullException.ThrowIfNull(text);
        RuleFile? file;
        try
        {
            RefuseAliases(text);
            file = Yaml.Deserialize<RuleFile>(text);
        }
        catch (RuleFileException)
        {
            throw;
        }
        catch (YamlException e)
        {
            var where = e.Start.Line > 0 ? $"line {e.Start.Line}: " : "";
            throw new RuleFileException($"{where}{(e.InnerException ?? e).Message}");
        }
        return Validate(file ?? new RuleFile(), defaultInterval, text);
    }

    private static readonly ISerializer YamlOut = new SerializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull | DefaultValuesHandling.OmitDefaults | DefaultValuesHandling.OmitEmptyCollections)
        .Build();

    /// <summary>A valid file of several groups as one file per group (what the store keeps), by group name.</summary>
    public static IReadOnlyDictionary<string, string> SplitGroups(string text)
    {
        var file = Yaml.Deserialize<RuleFile>(text) ?? new RuleFile();
        return file.Groups.ToDictionary(g => g.Name, g => YamlOut.Serialize(new RuleFile { Groups = [g] }), StringComparer.Ordinal);
    }

    // An alias re-uses a node without its text: a small file could stand for millions of rules to validate and store.
    internal static void RefuseAliases(string text)
    {
        var parser = new YamlDotNet.Core.Parser(new StringReader(text));
        while (parser.MoveNext())
        {
            if (parser.Current is YamlDotNet.Core.Events.AnchorAlias alias)
            {
                throw new RuleFileException($"line {alias.Start.Line}: YAML anchors and aliases are not supported in rule files; write each rule out.");
            }
        }
    }

    /// <summary>Validates a rule file model; throws <see cref="RuleFileException"/> with every problem.</summary>
    public static IReadOnlyList<RuleGroup> Validate(RuleFile file, TimeSpan defaultInterval, string source)
    {
        ArgumentNullException.ThrowIfNull(file);
        var problems = new List<string>();
        var groups = new List<RuleGroup>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var specs = file.Groups ?? [];
        for (var g = 0; g < specs.Count; g++)
        {
            var spec = specs[g] ?? new RuleGroupSpec();
            var at = $"group {g + 1} \"{spec.Name}\"";
            if (string.IsNullOrEmpty(spec.Name)) problems.Add($"group {g + 1}: Groupname must not be empty");
            else if (!names.Add(spec.Name)) problems.Add($"{at}: groupname: \"{spec.Name}\" is repeated in the same file");
            var interval = defaultInterval;
            if (!string.IsNullOrEmpty(spec.Interval))
            {
                if (!Durations.TryParse(spec.Interval, out var ms) || ms <= 0) problems.Add($"{at}: interval \"{spec.Interval}\" is not a positive duration such as 1m");
                else interval = TimeSpan.FromMilliseconds(ms);
            }
            if (spec.Limit < 0) problems.Add($"{at}: limit must not be negative");
            var rules = new List<Rule>();
            var ruleSpecs = spec.Rules ?? [];
            for (var r = 0; r < ruleSpecs.Count; r++)
            {
                if (Rule(ruleSpecs[r] ?? new RuleSpec(), $"{at}, rule {r + 1}", problems) is { } rule) rules.Add(rule);
            }
            groups.Add(new RuleGroup(spec.Name, interval, spec.Limit, rules, source));
        }
        if (problems.Count > 0) throw new RuleFileException(problems);
        return groups;
    }

    private static Rule? Rule(RuleSpec spec, string at, List<string> problems)
    {
        var before = problems.Count;
        var isRecord = !string.IsNullOrEmpty(spec.Record);
        var isAlert = !string.IsNullOrEmpty(spec.Alert);
        var named = $"{at} \"{spec.Alert ?? spec.Record}\"";
        if (isRecord && isAlert) problems.Add($"{named}: only one of 'record' and 'alert' must be set");
        if (!isRecord && !isAlert) problems.Add($"{at}: one of 'record' or 'alert' must be set");
        Expr? expr = null;
        if (string.IsNullOrWhiteSpace(spec.Expr)) problems.Add($"{named}: field 'expr' must be set in rule");
        else
        {
            try
            {
                expr = PromqlParser.Parse(spec.Expr);
                if (expr.Type is not (ExprType.Vector or ExprType.Scalar))
                {
                    problems.Add($"{named}: expression must be of type vector or scalar, got {PromqlParser.TypeName(expr.Type)}");
                }
            }
            catch (PromqlParseException e)
            {
                problems.Add($"{named}: could not parse expression: {e.Message}");
            }
        }
        var forDuration = Duration(spec.For, "for", named, problems);
        var keepFiring = Duration(spec.KeepFiringFor, "keep_firing_for", named, problems);
        if (isRecord)
        {
            if (spec.Annotations is { Count: > 0 }) problems.Add($"{named}: invalid field 'annotations' in recording rule");
            if (forDuration > TimeSpan.Zero) problems.Add($"{named}: invalid field 'for' in recording rule");
            if (keepFiring > TimeSpan.Zero) problems.Add($"{named}: invalid field 'keep_firing_for' in recording rule");
            if (!IsMetricName(spec.Record!)) problems.Add($"{named}: invalid recording rule name: {spec.Record}");
        }
        // An empty YAML value (labels: {team: }) is an empty string, as Prometheus reads it.
        var labels = (spec.Labels ?? []).ToDictionary(p => p.Key, p => p.Value ?? "", StringComparer.Ordinal);
        var annotations = (spec.Annotations ?? []).ToDictionary(p => p.Key, p => p.Value ?? "", StringComparer.Ordinal);
        foreach (var (name, value) in labels)
        {
            if (!PromqlParser.IsLabelName(name) || name == "__name__") problems.Add($"{named}: invalid label name: {name}");
            if (isAlert) CheckTemplate(value, $"{named}: label {name}", problems);
        }
        foreach (var (name, value) in annotations)
        {
            if (!PromqlParser.IsLabelName(name)) problems.Add($"{named}: invalid annotation name: {name}");
            CheckTemplate(value, $"{named}: annotation {name}", problems);
        }
        if (problems.Count > before || expr is null) return null;
        return new Rule(isRecord ? spec.Record : null, isAlert ? spec.Alert : null, spec.Expr!, expr, forDuration, keepFiring, labels, annotations);
    }

    private static TimeSpan Duration(string? text, string field, string at, List<string> problems)
    {
        if (string.IsNullOrEmpty(text) || text == "0") return TimeSpan.Zero;
        if (Durations.TryParse(text, out var ms)) return TimeSpan.FromMilliseconds(ms);
        problems.Add($"{at}: field '{field}': not a valid duration string: \"{text}\"");
        return TimeSpan.Zero;
    }

    private static void CheckTemplate(string text, string at, List<string> problems)
    {
        try
        {
            PromTemplate.Parse(text);
        }
        catch (TemplateException e)
        {
            problems.Add($"{at}: template: {e.Message}");
        }
    }

    private static bool IsMetricName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] is '_' or ':') && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':');
}
