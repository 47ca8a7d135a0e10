using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Platform.Core.Alerting.Templates;

/// <summary>
/// The part of Go's text/template that Prometheus rule templates use: text and <c>{{ }}</c> actions (with <c>{{-</c>
/// and <c>-}}</c> trimming), variables <c>$labels</c>, <c>$value</c>, <c>$externalLabels</c>, <c>$externalURL</c> and
/// <c>.Labels</c>, <c>.Value</c>; field access; pipelines; <c>if</c>/<c>else if</c>/<c>else</c>/<c>end</c>; variable
/// assignment; comments; and Prometheus's functions (humanize, humanize1024, humanizeDuration, humanizePercentage,
/// humanizeTimestamp, printf, toUpper, toLower, title, reReplaceAll, match, and Go's eq, ne, lt, le, gt, ge, and, or,
/// not, len, index, print). Functions that query (query, first, label, value, sortByLabel) are refused when parsed.
/// </summary>
public sealed class PromTemplate
{
    private static readonly HashSet<string> Unsupported = new(StringComparer.Ordinal)
    {
        "query", "first", "label", "value", "sortByLabel", "strvalue", "tmpl", "safeHtml", "args", "graphLink", "tableLink",
        "pathPrefix", "parseDuration", "toTime", "range", "with", "template", "define", "block",
    };

    private static readonly HashSet<string> Functions = new(StringComparer.Ordinal)
    {
        "humanize", "humanize1024", "humanizeDuration", "humanizePercentage", "humanizeTimestamp", "printf", "print", "toUpper",
        "toLower", "title", "reReplaceAll", "match", "eq", "ne", "lt", "le", "gt", "ge", "and", "or", "not", "len", "index",
        "stripPort", "stripDomain",
    };

    private readonly List<Node> _nodes;

    private PromTemplate(List<Node> nodes) => _nodes = nodes;

    /// <summary>Parses a template; throws <see cref="TemplateException"/> naming what is wrong.</summary>
    public static PromTemplate Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new Parser(text);
        var nodes = parser.ParseList(out var end);
        if (end is not null) throw new TemplateException($"unexpected {{{{{end}}}}}");
        return new PromTemplate(nodes);
    }

    /// <summary>Renders the template with the data; throws <see cref="TemplateException"/> for a failing function call.</summary>
    public string Render(TemplateData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var scope = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["$labels"] = data.Labels,
            ["$value"] = data.Value,
            ["$externalLabels"] = data.ExternalLabels,
            ["$externalURL"] = data.ExternalUrl,
            ["$"] = data,
        };
        var output = new StringBuilder();
        Execute(_nodes, scope, data, output);
        return output.ToString();
    }

    /// <summary>Parses and renders; a template that fails renders as Prometheus does: an error text in its place.</summary>
    public static string Expand(string text, TemplateData data)
    {
        try
        {
            return Parse(text).Render(data);
        }
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
        {
            // Prometheus renders a failing template as this text, and the alert goes on.
            return $"<error expanding template: {e.Message}>";
        }
    }

    private static void Execute(List<Node> nodes, Dictionary<string, object?> scope, TemplateData data, StringBuilder output)
    {
        foreach (var node in nodes)
        {
            switch (node)
            {
                case TextNode t:
                    output.Append(t.Text);
                    break;
                case ActionNode a:
                    output.Append(Print(Eval(a.Pipeline, scope, data)));
                    break;
                case AssignNode assign:
                    scope[assign.Variable] = Eval(assign.Pipeline, scope, data);
                    break;
                case IfNode i:
                    Execute(Truthy(Eval(i.Condition, scope, data)) ? i.Then : i.Else, scope, data, output);
                    break;
            }
        }
    }

    private static object? Eval(List<List<Operand>> pipeline, Dictionary<string, object?> scope, TemplateData data)
    {
        object? piped = null;
        var hasPiped = false;
        foreach (var command in pipeline)
        {
            if (command[0] is FuncOperand f)
            {
                var args = command.Skip(1).Select(o => Value(o, scope, data)).ToList();
                if (hasPiped) args.Add(piped);
                piped = Call(f.Name, args);
            }
            else
            {
                if (command.Count > 1 || hasPiped) throw new TemplateException("can't give argument to non-function");
                piped = Value(command[0], scope, data);
            }
            hasPiped = true;
        }
        return piped;
    }

    private static object? Value(Operand operand, Dictionary<string, object?> scope, TemplateData data)
    {
        switch (operand)
        {
            case StringOperand s: return s.Value;
            case NumberOperand n: return n.Value;
            case BoolOperand b: return b.Value;
            case PipelineOperand p: return Eval(p.Pipeline, scope, data);
            case FuncOperand f: return Call(f.Name, []);
            case VariableOperand v:
                if (!scope.TryGetValue(v.Name, out var value)) throw new TemplateException($"undefined variable \"{v.Name}\"");
                return Fields(value, v.Fields);
            case DotOperand d:
                return Fields(data, d.Fields);
            default:
                return null;
        }
    }

    private static object? Fields(object? value, IReadOnlyList<string> fields)
    {
        foreach (var field in fields)
        {
            value = value switch
            {
                // Go's text/template: a missing map key is "no value" (printed <no value>), not "".
                IReadOnlyDictionary<string, string> map => map.TryGetValue(field, out var v) ? v : null,
                TemplateData d => field switch
                {
                    "Labels" => d.Labels,
                    "Value" => d.Value,
                    "ExternalLabels" => d.ExternalLabels,
                    "ExternalURL" => d.ExternalUrl,
                    _ => throw new TemplateException($"can't evaluate field {field}"),
                },
                _ => throw new TemplateException($"can't evaluate field {field} in a {Kind(value)}"),
            };
        }
        return value;
    }

    private static string Kind(object? value) => value switch { null => "nil", string => "string", double => "number", bool => "bool", _ => "map" };

    internal static string Print(object? value) => value switch
    {
        null => "<no value>",
        string s => s,
        double d => GoFormat.Value(d),
        bool b => b ? "true" : "false",
        IReadOnlyDictionary<string, string> map => "map[" + string.Join(" ", map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}:{p.Value}")) + "]",
        _ => value.ToString() ?? "",
    };

    private static bool Truthy(object? value) => value switch
    {
        null => false,
        bool b => b,
        double d => d != 0,
        string s => s.Length > 0,
        IReadOnlyDictionary<string, string> m => m.Count > 0,
        _ => true,
    };

    private static double ToFloat(object? value) => value switch
    {
        double d => d,
        bool b => b ? 1 : 0,
        string s when Promql.Api.PromFloat.TryParse(s, out var parsed) => parsed,
        _ => throw new TemplateException($"can't convert {Print(value)} to float"),
    };

    private static int Compare(object? a, object? b) => (a, b) switch
    {
        (double x, _) => x.CompareTo(ToFloat(b)),
        (_, double y) => ToFloat(a).CompareTo(y),
        _ => string.CompareOrdinal(Print(a), Print(b)),
    };

    private static object? Call(string name, List<object?> args)
    {
        void Arity(int n)
        {
            if (args.Count != n) throw new TemplateException($"wrong number of args for {name}: want {n} got {args.Count}");
        }

        switch (name)
        {
            case "humanize": Arity(1); return Humanize.Number(ToFloat(args[0]));
            case "humanize1024": Arity(1); return Humanize.Binary(ToFloat(args[0]));
            case "humanizeDuration": Arity(1); return Humanize.Duration(ToFloat(args[0]));
            case "humanizePercentage": Arity(1); return GoFormat.G(ToFloat(args[0]) * 100, 4) + "%";
            case "humanizeTimestamp": Arity(1); return Humanize.Timestamp(ToFloat(args[0]));
            case "toUpper": Arity(1); return Print(args[0]).ToUpperInvariant();
            case "toLower": Arity(1); return Print(args[0]).ToLowerInvariant();
            case "title": Arity(1); return Title(Print(args[0]));
            case "stripPort": Arity(1); return StripPort(Print(args[0]));
            case "stripDomain": Arity(1); return Print(args[0]).Split('.')[0];
            case "match": Arity(2); return Pattern(Print(args[0])).IsMatch(Print(args[1]));
            case "reReplaceAll": Arity(3); return Pattern(Print(args[0])).Replace(Print(args[2]), Print(args[1]));
            case "print": return string.Concat(args.Select(Print));
            case "printf":
                if (args.Count == 0) throw new TemplateException("wrong number of args for printf: want at least 1 got 0");
                return Printf(Print(args[0]), args.Skip(1).ToList());
            case "eq": return args.Count >= 2 && args.Skip(1).Any(b => Compare(args[0], b) == 0);
            case "ne": Arity(2); return Compare(args[0], args[1]) != 0;
            case "lt": Arity(2); return Compare(args[0], args[1]) < 0;
            case "le": Arity(2); return Compare(args[0], args[1]) <= 0;
            case "gt": Arity(2); return Compare(args[0], args[1]) > 0;
            case "ge": Arity(2); return Compare(args[0], args[1]) >= 0;
            case "and": return args.FirstOrDefault(a => !Truthy(a), args.LastOrDefault());
            case "or": return args.FirstOrDefault(Truthy, args.LastOrDefault());
            case "not": Arity(1); return !Truthy(args[0]);
            case "len": Arity(1); return args[0] switch { string s => (double)s.Length, IReadOnlyDictionary<string, string> m => (double)m.Count, _ => throw new TemplateException($"len of {Print(args[0])}") };
            case "index": Arity(2); return args[0] is IReadOnlyDictionary<string, string> map ? map.GetValueOrDefault(Print(args[1]), "") : throw new TemplateException("index of a non-map");
            default: throw new TemplateException($"function \"{name}\" not defined");
        }
    }

    // strings.Title: the first letter of each word upper-cased, the rest left as it is.
    private static string Title(string text)
    {
        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if ((i == 0 || !char.IsLetterOrDigit(chars[i - 1])) && char.IsLetter(chars[i])) chars[i] = char.ToUpperInvariant(chars[i]);
        }
        return new string(chars);
    }

    private static string StripPort(string host)
    {
        var colon = host.LastIndexOf(':');
        return colon < 0 || host.LastIndexOf(']') > colon ? host : host[..colon].Trim('[', ']');
    }

    private static Regex Pattern(string pattern)
    {
        try
        {
            return new Regex(pattern.Replace("(?P<", "(?<", StringComparison.Ordinal), RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, TimeSpan.FromSeconds(1));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            // NotSupported: lookarounds and backreferences, which RE2 (Go) has no more than this engine.
            throw new TemplateException($"bad regular expression {pattern}: {e.Message}");
        }
    }

    /// <summary>Go's printf for the verbs templates use: %s %v %d %f %g %e %q %x %% with width and precision.</summary>
    private static string Printf(string format, List<object?> args)
    {
        var output = new StringBuilder();
        var next = 0;
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%') { output.Append(format[i]); continue; }
            var start = i++;
            while (i < format.Length && "+-# 0".Contains(format[i], StringComparison.Ordinal)) i++;
            while (i < format.Length && char.IsAsciiDigit(format[i])) i++;
            int? precision = null;
            if (i < format.Length && format[i] == '.')
            {
                var p = ++i;
                while (i < format.Length && char.IsAsciiDigit(format[i])) i++;
                // Go refuses precisions over 1e6; anything past a thousand digits is refused here too.
                if (i - p > 4) return output.Append("%!(BADPREC)").ToString();
                precision = i > p ? int.Parse(format.AsSpan(p, i - p), CultureInfo.InvariantCulture) : 0;
            }
            if (i >= format.Length) { output.Append(format, start, i - start); break; }
            var verb = format[i];
            if (verb == '%') { output.Append('%'); continue; }
            if (next >= args.Count) { output.Append("%!").Append(verb).Append("(MISSING)"); continue; }
            var arg = args[next++];
            output.Append(verb switch
            {
                's' or 'v' => Print(arg),
                'q' => "\"" + Print(arg).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"",
                'd' => arg is double d ? ((long)d).ToString(CultureInfo.InvariantCulture) : $"%!d({Print(arg)})",
                'f' or 'F' => GoFormat.F(ToFloat(arg), precision ?? 6),
                'g' => precision is { } gp ? GoFormat.G(ToFloat(arg), gp) : GoFormat.Value(ToFloat(arg)),
                'e' => ToFloat(arg).ToString("e" + (precision ?? 6).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture).Replace("e+0", "e+", StringComparison.Ordinal).Replace("e-0", "e-", StringComparison.Ordinal),
                'x' => arg is double x ? ((long)x).ToString("x", CultureInfo.InvariantCulture) : Convert.ToHexStringLower(Encoding.UTF8.GetBytes(Print(arg))),
                _ => $"%!{verb}({Print(arg)})",
            });
        }
        return output.ToString();
    }

    private abstract record Node;
    private sealed record TextNode(string Text) : Node;
    private sealed record ActionNode(List<List<Operand>> Pipeline) : Node;
    private sealed record AssignNode(string Variable, List<List<Operand>> Pipeline) : Node;
    private sealed record IfNode(List<List<Operand>> Condition, List<Node> Then, List<Node> Else) : Node;

    private abstract record Operand;
    private sealed record StringOperand(string Value) : Operand;
    private sealed record NumberOperand(double Value) : Operand;
    private sealed record BoolOperand(bool Value) : Operand;
    private sealed record VariableOperand(string Name, IReadOnlyList<string> Fields) : Operand;
    private sealed record DotOperand(IReadOnlyList<string> Fields) : Operand;
    private sealed record FuncOperand(string Name) : Operand;
    private sealed record PipelineOperand(List<List<Operand>> Pipeline) : Operand;

    /// <summary>Splits text and actions, then parses each action's words.</summary>
    private sealed class Parser(string text)
    {
        private int _at;
        private bool _trimNextText;

        /// <summary>Nodes up to an <c>else</c>/<c>end</c> (returned in <paramref name="end"/>) or the end of the text.</summary>
        public List<Node> ParseList(out string? end)
        {
            var nodes = new List<Node>();
            end = null;
            while (_at < text.Length)
            {
                var open = text.IndexOf("{{", _at, StringComparison.Ordinal);
                var literal = open < 0 ? text[_at..] : text[_at..open];
                if (_trimNextText) literal = literal.TrimStart();
                _trimNextText = false;
                if (open < 0)
                {
                    if (literal.Length > 0) nodes.Add(new TextNode(literal));
                    _at = text.Length;
                    break;
                }
                var trimLeft = open + 2 < text.Length && text[open + 2] == '-' && open + 3 < text.Length && char.IsWhiteSpace(text[open + 3]);
                if (trimLeft) literal = literal.TrimEnd();
                if (literal.Length > 0) nodes.Add(new TextNode(literal));
                var close = text.IndexOf("}}", open + 2, StringComparison.Ordinal);
                if (close < 0) throw new TemplateException("unclosed action");
                var inner = text[(open + (trimLeft ? 3 : 2))..close];
                if (inner.EndsWith(" -", StringComparison.Ordinal) || inner.EndsWith("\t-", StringComparison.Ordinal) || inner == "-")
                {
                    inner = inner[..^1];
                    _trimNextText = true;
                }
                _at = close + 2;
                inner = inner.Trim();
                if (inner.StartsWith("/*", StringComparison.Ordinal))
                {
                    if (!inner.EndsWith("*/", StringComparison.Ordinal)) throw new TemplateException("unclosed comment");
                    continue;
                }
                var words = Words(inner);
                if (words.Count == 0) throw new TemplateException("missing value for command");
                switch (words[0])
                {
                    case "end":
                        end = "end";
                        return nodes;
                    case "else":
                        // "else if" keeps its condition's raw text: its words are parsed again by ParseIf.
                        end = words.Count > 1 && words[1] == "if" ? "else if " + inner["else".Length..].TrimStart()["if".Length..].Trim() : "else";
                        return nodes;
                    case "if":
                        nodes.Add(ParseIf(words.Skip(1).ToList()));
                        break;
                    default:
                        if (Unsupported.Contains(words[0])) throw new TemplateException($"\"{words[0]}\" is not supported by this platform's templates");
                        if (words.Count >= 3 && words[0].StartsWith('$') && words[1] is ":=" or "=")
                        {
                            nodes.Add(new AssignNode(words[0], Pipeline(words.Skip(2).ToList())));
                        }
                        else
                        {
                            nodes.Add(new ActionNode(Pipeline(words)));
                        }
                        break;
                }
            }
            return nodes;
        }

        private IfNode ParseIf(List<string> condition)
        {
            if (condition.Count == 0) throw new TemplateException("missing value for if");
            var then = ParseList(out var end);
            switch (end)
            {
                case "end":
                    return new IfNode(Pipeline(condition), then, []);
                case "else":
                    var otherwise = ParseList(out var elseEnd);
                    if (elseEnd != "end") throw new TemplateException("expected end after else");
                    return new IfNode(Pipeline(condition), then, otherwise);
                case { } elseIf when elseIf.StartsWith("else if ", StringComparison.Ordinal):
                    var nested = ParseIf(Words(elseIf["else if ".Length..]));
                    return new IfNode(Pipeline(condition), then, [nested]);
                default:
                    throw new TemplateException("unexpected EOF: if without end");
            }
        }

        private const int MaxParenDepth = 50;

        private static List<List<Operand>> Pipeline(List<string> words)
        {
            var depthNow = 0;
            foreach (var w in words)
            {
                if (w == "(" && ++depthNow > MaxParenDepth) throw new TemplateException($"parentheses nested more than {MaxParenDepth} deep");
                if (w == ")") depthNow--;
            }
            var pipeline = new List<List<Operand>>();
            var command = new List<Operand>();
            for (var i = 0; i < words.Count; i++)
            {
                var word = words[i];
                if (word == "|")
                {
                    if (command.Count == 0) throw new TemplateException("missing command before |");
                    pipeline.Add(command);
                    command = [];
                    continue;
                }
                if (word == "(")
                {
                    var depth = 1;
                    var j = i + 1;
                    for (; j < words.Count && depth > 0; j++)
                    {
                        if (words[j] == "(") depth++;
                        else if (words[j] == ")") depth--;
                    }
                    if (depth != 0) throw new TemplateException("unclosed left paren");
                    command.Add(new PipelineOperand(Pipeline(words.GetRange(i + 1, j - i - 2))));
                    i = j - 1;
                    continue;
                }
                if (word == ")") throw new TemplateException("unexpected right paren");
                command.Add(Operand(word));
            }
            if (command.Count == 0) throw new TemplateException("missing command");
            pipeline.Add(command);
            return pipeline;
        }

        private static Operand Operand(string word)
        {
            if (word[0] is '"' or '`') return new StringOperand(word[1..]);
            if (word[0] == '$')
            {
                var parts = word.Split('.');
                return new VariableOperand(parts[0], parts[1..]);
            }
            if (word[0] == '.') return new DotOperand(word == "." ? [] : word[1..].Split('.'));
            if (word is "true" or "false") return new BoolOperand(word == "true");
            if (word == "nil") throw new TemplateException("nil is not a command");
            if (char.IsAsciiDigit(word[0]) || word[0] is '-' or '+')
            {
                return double.TryParse(word, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                    ? new NumberOperand(number)
                    : throw new TemplateException($"bad number syntax: \"{word}\"");
            }
            if (Unsupported.Contains(word)) throw new TemplateException($"function \"{word}\" is not supported by this platform's templates");
            if (!Functions.Contains(word)) throw new TemplateException($"function \"{word}\" not defined");
            return new FuncOperand(word);
        }

        /// <summary>The words of an action: strings (a leading quote marks them, content unescaped), parens, pipes, the rest.</summary>
        private static List<string> Words(string action)
        {
            var words = new List<string>();
            var i = 0;
            while (i < action.Length)
            {
                var c = action[i];
                if (char.IsWhiteSpace(c)) { i++; continue; }
                if (c is '(' or ')' or '|')
                {
                    words.Add(c.ToString());
                    i++;
                    continue;
                }
                if (c is '"' or '`')
                {
                    var value = new StringBuilder().Append(c);
                    i++;
                    while (true)
                    {
                        if (i >= action.Length) throw new TemplateException("unterminated quoted string");
                        var d = action[i++];
                        if (d == c) break;
                        if (c == '"' && d == '\\' && i < action.Length)
                        {
                            var e = action[i++];
                            value.Append(e switch { 'n' => '\n', 't' => '\t', 'r' => '\r', _ => e });
                            continue;
                        }
                        value.Append(d);
                    }
                    words.Add(value.ToString());
                    continue;
                }
                var start = i;
                while (i < action.Length && !char.IsWhiteSpace(action[i]) && action[i] is not ('(' or ')' or '|')) i++;
                words.Add(action[start..i]);
            }
            return words;
        }
    }
}
