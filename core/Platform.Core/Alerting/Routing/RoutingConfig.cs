using System.Globalization;
using System.Text.RegularExpressions;
using Platform.Core.Alerting.Rules;
using Platform.Promql.Parser;
using Platform.Promql.Series;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Platform.Core.Alerting.Routing;

/// <summary>A receiver's integrations, validated.</summary>
public sealed record Receiver(string Name, IReadOnlyList<WebhookTarget> Webhooks, IReadOnlyList<SlackTarget> Slacks, IReadOnlyList<EmailTarget> Emails);

/// <summary>A webhook: URL, the setting holding its HMAC key (or none), and whether resolved notifications go.</summary>
public sealed record WebhookTarget(Uri Url, string? HmacSecretSetting, bool SendResolved);

/// <summary>A Slack-compatible incoming webhook.</summary>
public sealed record SlackTarget(Uri ApiUrl, string? Channel, string? Text, bool SendResolved);

/// <summary>An e-mail recipient.</summary>
public sealed record EmailTarget(string To, bool SendResolved);

/// <summary>An inhibition rule.</summary>
public sealed record InhibitRule(IReadOnlyList<LabelMatcher> Source, IReadOnlyList<LabelMatcher> Target, IReadOnlyList<string> Equal);

/// <summary>
/// The built-in router's validated configuration (Alertmanager's format: <c>route</c>, <c>receivers</c>,
/// <c>inhibit_rules</c>). Every problem is reported at once, each saying where it is.
/// </summary>
public sealed partial record RoutingConfig(Route Root, IReadOnlyDictionary<string, Receiver> Receivers, IReadOnlyList<InhibitRule> InhibitRules, string Source)
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .WithDuplicateKeyChecking()
        .Build();

    /// <summary>Parses and validates; throws <see cref="RuleFileException"/> with every problem.</summary>
    public static RoutingConfig Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        RoutingConfigFile file;
        try
        {
            RuleFileParser.RefuseAliases(text);
            file = Yaml.Deserialize<RoutingConfigFile>(text) ?? new RoutingConfigFile();
        }
        catch (YamlException e)
        {
            throw new RuleFileException($"line {e.Start.Line}: {(e.InnerException ?? e).Message}");
        }
        var problems = new List<string>();
        var receivers = new Dictionary<string, Receiver>(StringComparer.Ordinal);
        foreach (var (spec, i) in (file.Receivers ?? []).Select((r, i) => (r ?? new ReceiverSpec(), i)))
        {
            var at = $"receivers[{i}] \"{spec.Name}\"";
            if (string.IsNullOrEmpty(spec.Name)) problems.Add($"receivers[{i}]: a receiver needs a name");
            else if (receivers.ContainsKey(spec.Name)) problems.Add($"{at}: the name is used twice");
            var webhooks = (spec.WebhookConfigs ?? []).Select((w, j) => new WebhookTarget(Url(w?.Url, $"{at}.webhook_configs[{j}].url", problems),
                w?.HmacSecretSetting, w?.SendResolved ?? true)).ToList();
            var slacks = (spec.SlackConfigs ?? []).Select((s, j) => new SlackTarget(Url(s?.ApiUrl, $"{at}.slack_configs[{j}].api_url", problems),
                s?.Channel, CheckTemplate(s?.Text, $"{at}.slack_configs[{j}].text", problems), s?.SendResolved ?? false)).ToList();
            var emails = (spec.EmailConfigs ?? []).Select((e, j) =>
            {
                if (e?.To is not { Length: > 3 } to || !to.Contains('@', StringComparison.Ordinal)) problems.Add($"{at}.email_configs[{j}].to must be an e-mail address");
                return new EmailTarget(e?.To ?? "", e?.SendResolved ?? false);
            }).ToList();
            if (!string.IsNullOrEmpty(spec.Name)) receivers[spec.Name] = new Receiver(spec.Name, webhooks, slacks, emails);
        }
        Route? root = null;
        if (file.Route is null) problems.Add("route: the configuration needs a root route");
        else
        {
            if (file.Route.Matchers is { Count: > 0 }) problems.Add("route: the root route must not have matchers (it takes every alert)");
            if (string.IsNullOrEmpty(file.Route.Receiver)) problems.Add("route: the root route needs a receiver");
            root = Build(file.Route, null, "route", "", receivers, problems, 0);
        }
        var inhibit = (file.InhibitRules ?? []).Select((r, i) => new InhibitRule(
            Matchers(r?.SourceMatchers, $"inhibit_rules[{i}].source_matchers", problems),
            Matchers(r?.TargetMatchers, $"inhibit_rules[{i}].target_matchers", problems),
            r?.Equal ?? [])).ToList();
        if (problems.Count > 0) throw new RuleFileException(problems);
        return new RoutingConfig(root!, receivers, inhibit, text);
    }

    private const int MaxRouteDepth = 20;

    private static Route Build(RouteSpec spec, Route? parent, string at, string parentId, Dictionary<string, Receiver> receivers, List<string> problems, int depth)
    {
        if (depth > MaxRouteDepth)
        {
            problems.Add($"{at}: routes nest more than {MaxRouteDepth} deep");
            spec = new RouteSpec { Receiver = spec.Receiver };
        }
        var receiver = spec.Receiver ?? parent?.Receiver ?? "";
        if (spec.Receiver is not null && !receivers.ContainsKey(spec.Receiver)) problems.Add($"{at}: receiver \"{spec.Receiver}\" is not defined");
        // Unset: inherited, "..." included (null); at the root, no grouping labels (one group).
        IReadOnlyList<string>? groupBy = spec.GroupBy is null ? (parent is null ? [] : parent.GroupBy) : spec.GroupBy.Contains("...") ? null : spec.GroupBy;
        foreach (var label in spec.GroupBy ?? [])
        {
            if (label != "..." && !PromqlParser.IsLabelName(label)) problems.Add($"{at}.group_by: \"{label}\" is not a label name");
        }
        // A route's identity is what it matches under its parent, not its position: groups survive inserting routes.
        var id = parentId + "/" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            string.Join("\n", spec.Matchers ?? []) + "|" + spec.Continue))).AsSpan(0, 8).ToString();
        var route = new Route(id, Matchers(spec.Matchers, $"{at}.matchers", problems), receiver, groupBy,
            Duration(spec.GroupWait, parent?.GroupWait ?? TimeSpan.FromSeconds(30), $"{at}.group_wait", problems),
            Duration(spec.GroupInterval, parent?.GroupInterval ?? TimeSpan.FromMinutes(5), $"{at}.group_interval", problems),
            Duration(spec.RepeatInterval, parent?.RepeatInterval ?? TimeSpan.FromHours(4), $"{at}.repeat_interval", problems),
            spec.Continue, []);
        var children = new List<Route>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (child, i) in (spec.Routes ?? []).Select((c, i) => (c, i)))
        {
            var built = Build(child ?? new RouteSpec(), route, $"{at}.routes[{i}]", id, receivers, problems, depth + 1);
            // Two siblings that match alike keep apart.
            if (!ids.Add(built.Id)) built = built with { Id = built.Id + "#" + i.ToString(CultureInfo.InvariantCulture) };
            children.Add(built);
        }
        return route with { Children = children };
    }

    private static TimeSpan Duration(string? text, TimeSpan inherited, string at, List<string> problems)
    {
        if (string.IsNullOrEmpty(text)) return inherited;
        if (Durations.TryParse(text, out var ms) && ms > 0) return TimeSpan.FromMilliseconds(ms);
        problems.Add($"{at}: \"{text}\" is not a positive duration such as 30s");
        return inherited;
    }

    private static Uri Url(string? text, string at, List<string> problems)
    {
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https") return uri;
        problems.Add($"{at}: \"{text}\" must be an absolute http or https URL");
        return new Uri("http://invalid.invalid/");
    }

    private static string? CheckTemplate(string? text, string at, List<string> problems)
    {
        if (text is null) return null;
        try
        {
            Templates.PromTemplate.Parse(text);
        }
        catch (Templates.TemplateException e)
        {
            problems.Add($"{at}: template: {e.Message}");
        }
        return text;
    }

    /// <summary>Alertmanager's matcher syntax: <c>name="value"</c>, <c>name=~"regex"</c>, <c>!=</c>, <c>!~</c>; values quoted or bare.</summary>
    public static IReadOnlyList<LabelMatcher> Matchers(IEnumerable<string>? texts, string at, List<string> problems)
    {
        var matchers = new List<LabelMatcher>();
        foreach (var text in texts ?? [])
        {
            var match = MatcherSyntax().Match(text ?? "");
            if (!match.Success)
            {
                problems.Add($"{at}: \"{text}\" is not a matcher such as severity=\"page\"");
                continue;
            }
            var value = match.Groups[3].Value;
            var type = match.Groups[2].Value switch { "=~" => MatcherType.Regex, "!~" => MatcherType.NotRegex, "!=" => MatcherType.NotEqual, _ => MatcherType.Equal };
            try
            {
                if (value.Length >= 2 && value[0] == '"' && value[^1] == '"') value = Regex.Unescape(value[1..^1]);
                matchers.Add(new LabelMatcher(type, match.Groups[1].Value, value));
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException)
            {
                problems.Add($"{at}: \"{text}\": {e.Message}");
            }
        }
        return matchers;
    }

    [GeneratedRegex("^\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*(.*?)\\s*$")]
    private static partial Regex MatcherSyntax();

    /// <summary>Used for formatting durations in views.</summary>
    internal static string Seconds(TimeSpan span) => span.TotalSeconds.ToString(CultureInfo.InvariantCulture) + "s";
}
