using System.Globalization;
using Platform.Promql.Series;

namespace Platform.Promql.Parser;

/// <summary>
/// Recursive descent with precedence climbing over PromQL's grammar (Prometheus's generated_parser.y):
/// <c>or</c> &lt; <c>and unless</c> &lt; comparisons &lt; <c>+ -</c> &lt; <c>* / % atan2</c> &lt; <c>^</c> (right-associative);
/// unary minus binds like <c>*</c>, so <c>-2^2</c> is -4. Type rules are checked while parsing.
/// </summary>
public sealed class PromqlParser
{
    private static readonly HashSet<string> Aggregations = new(StringComparer.Ordinal)
    {
        "sum", "avg", "min", "max", "count", "topk", "bottomk", "quantile", "count_values", "stddev", "stdvar", "group",
    };

    /// <summary>Deepest expression tree accepted: evaluation recurses this deep, and a deeper query would exhaust the stack.</summary>
    public const int MaxDepth = 200;

    /// <summary>Largest magnitude of a timestamp in seconds (Unix ms must fit an int64 with room for ranges and offsets).</summary>
    public const double MaxTimestampSeconds = 9_000_000_000_000;

    private readonly List<Token> _tokens;
    private int _at;
    private int _nesting;

    private PromqlParser(string query) => _tokens = Lexer.Tokenize(query);

    /// <summary>Parses a query; throws <see cref="PromqlParseException"/> naming what is wrong or unsupported.</summary>
    public static Expr Parse(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var parser = new PromqlParser(query);
        if (parser.Peek.Kind == TokenKind.End) throw new PromqlParseException("no expression found in input", 0);
        var expr = parser.ParseExpr(0);
        if (parser.Peek.Kind != TokenKind.End) throw parser.Unexpected("end of input");
        return expr;
    }

    /// <summary>Parses a series selector such as <c>up{job="api"}</c> (the <c>match[]</c> parameter of the metadata endpoints).</summary>
    public static IReadOnlyList<LabelMatcher> ParseSelector(string text)
    {
        var expr = Parse(text);
        return expr is VectorSelector selector ? selector.Matchers
            : throw new PromqlParseException("expected a series selector such as up{job=\"api\"}", 0);
    }

    private Token Peek => _tokens[_at];

    private Token Next() => _tokens[_at++];

    private bool IsKeyword(string keyword) => Peek.Kind == TokenKind.Identifier && string.Equals(Peek.Text, keyword, StringComparison.Ordinal);

    private Token Expect(TokenKind kind, string what)
    {
        if (Peek.Kind != kind) throw Unexpected(what);
        return Next();
    }

    private PromqlParseException Unexpected(string expected)
    {
        var token = Peek;
        var found = token.Kind == TokenKind.End ? "end of input" : $"\"{token.Text}\"";
        return new PromqlParseException($"unexpected {found}, expected {expected}", token.Position);
    }

    private static int Precedence(BinaryOp op) => op switch
    {
        BinaryOp.Or => 1,
        BinaryOp.And or BinaryOp.Unless => 2,
        BinaryOp.Eql or BinaryOp.Neq or BinaryOp.Lss or BinaryOp.Lte or BinaryOp.Gtr or BinaryOp.Gte => 3,
        BinaryOp.Add or BinaryOp.Sub => 4,
        BinaryOp.Mul or BinaryOp.Div or BinaryOp.Mod or BinaryOp.Atan2 => 5,
        _ => 6,
    };

    private const int UnaryOperandPrecedence = 6;

    private BinaryOp? PeekBinaryOp() => Peek.Kind switch
    {
        TokenKind.Add => BinaryOp.Add,
        TokenKind.Sub => BinaryOp.Sub,
        TokenKind.Mul => BinaryOp.Mul,
        TokenKind.Div => BinaryOp.Div,
        TokenKind.Mod => BinaryOp.Mod,
        TokenKind.Pow => BinaryOp.Pow,
        TokenKind.EqlC => BinaryOp.Eql,
        TokenKind.Neq => BinaryOp.Neq,
        TokenKind.Lss => BinaryOp.Lss,
        TokenKind.Lte => BinaryOp.Lte,
        TokenKind.Gtr => BinaryOp.Gtr,
        TokenKind.Gte => BinaryOp.Gte,
        TokenKind.Identifier => Peek.Text switch
        {
            "and" => BinaryOp.And,
            "or" => BinaryOp.Or,
            "unless" => BinaryOp.Unless,
            "atan2" => BinaryOp.Atan2,
            _ => null,
        },
        _ => null,
    };

    private Expr ParseExpr(int minPrecedence)
    {
        if (++_nesting > MaxDepth) throw new PromqlParseException($"expression nested more than {MaxDepth} deep", Peek.Position);
        try
        {
            return Checked(ParseBinary(minPrecedence));
        }
        finally
        {
            _nesting--;
        }
    }

    private Expr Checked(Expr expr) => expr.Depth > MaxDepth
        ? throw new PromqlParseException($"expression nested more than {MaxDepth} deep", Peek.Position)
        : expr;

    private Expr ParseBinary(int minPrecedence)
    {
        var left = ParseUnary();
        while (PeekBinaryOp() is { } op && Precedence(op) >= minPrecedence)
        {
            var opToken = Next();
            var returnBool = false;
            if (IsKeyword("bool"))
            {
                if (!IsComparison(op)) throw new PromqlParseException("bool modifier can only be used on comparison operators", Peek.Position);
                Next();
                returnBool = true;
            }
            var matching = ParseMatching(op);
            var precedence = Precedence(op);
            var right = ParseExpr(op == BinaryOp.Pow ? precedence : precedence + 1);
            left = Checked(MakeBinary(op, left, right, matching, returnBool, opToken.Position));
        }
        return left;
    }

    private static bool IsComparison(BinaryOp op) => op is BinaryOp.Eql or BinaryOp.Neq or BinaryOp.Lss or BinaryOp.Lte or BinaryOp.Gtr or BinaryOp.Gte;

    private static bool IsSetOp(BinaryOp op) => op is BinaryOp.And or BinaryOp.Or or BinaryOp.Unless;

    private VectorMatching? ParseMatching(BinaryOp op)
    {
        var card = IsSetOp(op) ? Cardinality.ManyToMany : Cardinality.OneToOne;
        if (!IsKeyword("on") && !IsKeyword("ignoring"))
        {
            if (IsKeyword("group_left") || IsKeyword("group_right")) throw Unexpected("on or ignoring before group_left/group_right");
            return new VectorMatching(card, [], false, []);
        }
        var on = Next().Text == "on";
        var labels = ParseLabelList();
        IReadOnlyList<string> include = [];
        if (IsKeyword("group_left") || IsKeyword("group_right"))
        {
            var groupToken = Next();
            if (IsSetOp(op)) throw new PromqlParseException($"no grouping allowed for \"{OpText(op)}\" operation", groupToken.Position);
            card = groupToken.Text == "group_left" ? Cardinality.ManyToOne : Cardinality.OneToMany;
            if (Peek.Kind == TokenKind.LeftParen) include = ParseLabelList();
        }
        foreach (var label in include)
        {
            if (on && labels.Contains(label, StringComparer.Ordinal))
            {
                throw new PromqlParseException($"label \"{label}\" must not occur in ON and GROUP clause at once", Peek.Position);
            }
        }
        return new VectorMatching(card, labels, on, include);
    }

    private static string OpText(BinaryOp op) => op.ToString().ToLowerInvariant();

    private static Expr MakeBinary(BinaryOp op, Expr left, Expr right, VectorMatching? matching, bool returnBool, int position)
    {
        foreach (var side in new[] { left, right })
        {
            if (side.Type is not (ExprType.Scalar or ExprType.Vector))
            {
                throw new PromqlParseException($"binary expression must contain only scalar and instant vector types", position);
            }
        }
        var bothScalars = left.Type == ExprType.Scalar && right.Type == ExprType.Scalar;
        if (IsComparison(op) && bothScalars && !returnBool)
        {
            throw new PromqlParseException("comparisons between scalars must use BOOL modifier", position);
        }
        if (IsSetOp(op) && (left.Type != ExprType.Vector || right.Type != ExprType.Vector))
        {
            throw new PromqlParseException($"set operator \"{OpText(op)}\" not allowed in binary scalar expression", position);
        }
        var bothVectors = left.Type == ExprType.Vector && right.Type == ExprType.Vector;
        // As Prometheus: matching labels with a scalar side is an error; empty on()/group_left with a scalar is dropped.
        if (!bothVectors && matching is { MatchingLabels.Count: > 0 })
        {
            throw new PromqlParseException("vector matching only allowed between instant vectors", position);
        }
        if (bothScalars && left is NumberLiteral l && right is NumberLiteral r && !IsComparison(op))
        {
            // Folding keeps `-1` and `2*3` literal, as Prometheus prints them.
            return new NumberLiteral(Engine.BinaryArithmetic.Apply(op, l.Value, r.Value).Value);
        }
        return new BinaryExpr(op, left, right, bothVectors ? matching : null, returnBool);
    }

    private Expr ParseUnary()
    {
        if (Peek.Kind is TokenKind.Add or TokenKind.Sub)
        {
            var negate = Next().Kind == TokenKind.Sub;
            var operand = ParseExpr(UnaryOperandPrecedence);
            if (operand.Type is not (ExprType.Scalar or ExprType.Vector))
            {
                throw new PromqlParseException("unary expression only allowed on expressions of type scalar or instant vector", Peek.Position);
            }
            if (operand is NumberLiteral number) return new NumberLiteral(negate ? -number.Value : number.Value);
            return negate ? new UnaryExpr(true, operand) : operand;
        }
        return ParsePostfix(ParsePrimary());
    }

    private Expr ParsePostfix(Expr expr)
    {
        if (Peek.Kind == TokenKind.LeftBracket)
        {
            var bracket = Next();
            var range = ParseDuration("range");
            if (Peek.Kind == TokenKind.Colon)
            {
                throw new PromqlParseException("subqueries are not supported", bracket.Position);
            }
            if (Peek.Kind != TokenKind.RightBracket)
            {
                if (Peek.Kind == TokenKind.Identifier && Peek.Text.StartsWith(':')) throw new PromqlParseException("subqueries are not supported", bracket.Position);
                throw Unexpected("\"]\"");
            }
            Next();
            if (expr is not VectorSelector selector)
            {
                throw new PromqlParseException("ranges only allowed for vector selectors (subqueries are not supported)", bracket.Position);
            }
            if (range <= 0) throw new PromqlParseException("range must be positive", bracket.Position);
            if (selector.OffsetMs != 0 || selector.At != AtKind.None) throw new PromqlParseException("offset and @ come after the range", bracket.Position);
            expr = new MatrixSelector(selector, range);
        }
        while (IsKeyword("offset") || Peek.Kind == TokenKind.At)
        {
            var modifier = Next();
            var target = expr is MatrixSelector m ? m.Selector : expr as VectorSelector
                ?? throw new PromqlParseException($"{(modifier.Kind == TokenKind.At ? "@ modifier" : "offset")} must be preceded by an instant vector selector or range vector selector", modifier.Position);
            VectorSelector updated;
            if (modifier.Kind == TokenKind.At)
            {
                if (target.At != AtKind.None) throw new PromqlParseException("@ <timestamp> may not be set multiple times", modifier.Position);
                updated = ParseAt(target);
            }
            else
            {
                if (target.OffsetMs != 0) throw new PromqlParseException("offset may not be set multiple times", modifier.Position);
                var negative = false;
                if (Peek.Kind == TokenKind.Sub) { Next(); negative = true; }
                var offset = ParseDuration("duration");
                updated = target with { OffsetMs = negative ? -offset : offset };
            }
            expr = expr is MatrixSelector matrix ? matrix with { Selector = updated } : updated;
        }
        return expr;
    }

    private VectorSelector ParseAt(VectorSelector target)
    {
        if (IsKeyword("start") || IsKeyword("end"))
        {
            var kind = Next().Text == "start" ? AtKind.Start : AtKind.End;
            Expect(TokenKind.LeftParen, "\"(\"");
            Expect(TokenKind.RightParen, "\")\"");
            return target with { At = kind };
        }
        var negative = false;
        if (Peek.Kind is TokenKind.Sub or TokenKind.Add) negative = Next().Kind == TokenKind.Sub;
        var token = Expect(TokenKind.Number, "a timestamp after @");
        var seconds = ParseNumber(token) * (negative ? -1 : 1);
        if (double.IsNaN(seconds) || double.IsInfinity(seconds) || Math.Abs(seconds) > MaxTimestampSeconds)
        {
            throw new PromqlParseException("timestamp out of bounds for @ modifier", token.Position);
        }
        return target with { At = AtKind.Timestamp, AtMs = (long)Math.Round(seconds * 1000) };
    }

    private long ParseDuration(string what)
    {
        var token = Peek;
        if (token.Kind == TokenKind.Duration && Durations.TryParse(token.Text, out var ms))
        {
            Next();
            return ms;
        }
        throw Unexpected(what);
    }

    private Expr ParsePrimary()
    {
        var token = Peek;
        switch (token.Kind)
        {
            case TokenKind.Number:
                Next();
                return new NumberLiteral(ParseNumber(token));
            case TokenKind.String:
                Next();
                return new StringLiteral(token.Text);
            case TokenKind.LeftParen:
                Next();
                var inner = ParseExpr(0);
                Expect(TokenKind.RightParen, "\")\"");
                return new ParenExpr(inner);
            case TokenKind.LeftBrace:
                return ParseSelectorBody("");
            case TokenKind.Identifier:
                return ParseIdentifier();
            case TokenKind.Duration:
                throw new PromqlParseException($"unexpected duration \"{token.Text}\"", token.Position);
            default:
                throw Unexpected("an expression");
        }
    }

    private Expr ParseIdentifier()
    {
        var token = Next();
        var name = token.Text;
        var lower = name.ToLowerInvariant();
        if (lower is "inf" or "nan") return new NumberLiteral(lower == "inf" ? double.PositiveInfinity : double.NaN);
        if (Aggregations.Contains(name) && (Peek.Kind == TokenKind.LeftParen || IsKeyword("by") || IsKeyword("without")))
        {
            return ParseAggregation(name, token.Position);
        }
        if (Peek.Kind == TokenKind.LeftParen)
        {
            if (FunctionSignature.Supported.TryGetValue(name, out var function)) return ParseCall(function, token.Position);
            if (FunctionSignature.Known.Contains(name)) throw new PromqlParseException($"function \"{name}\" is not supported by this engine", token.Position);
            if (name is "limitk" or "limit_ratio") throw new PromqlParseException($"aggregation \"{name}\" is not supported by this engine", token.Position);
            throw new PromqlParseException($"unknown function with name \"{name}\"", token.Position);
        }
        // by, without, offset, and, or, unless are metric names where an expression starts (Prometheus's metric_identifier).
        if (name is "on" or "ignoring" or "group_left" or "group_right" or "bool" or "atan2")
        {
            throw new PromqlParseException($"unexpected keyword \"{name}\"", token.Position);
        }
        return ParseSelectorBody(name);
    }

    private FunctionCall ParseCall(FunctionSignature function, int position)
    {
        Expect(TokenKind.LeftParen, "\"(\"");
        var args = new List<Expr>();
        if (Peek.Kind != TokenKind.RightParen)
        {
            do { args.Add(ParseExpr(0)); } while (Peek.Kind == TokenKind.Comma && Next().Kind == TokenKind.Comma);
        }
        Expect(TokenKind.RightParen, "\")\" or \",\"");
        var min = function.Args.Count - function.OptionalArgs;
        if (args.Count < min || args.Count > function.Args.Count)
        {
            throw new PromqlParseException($"expected {(min == function.Args.Count ? $"{min}" : $"{min} to {function.Args.Count}")} argument(s) in call to \"{function.Name}\", got {args.Count}", position);
        }
        for (var i = 0; i < args.Count; i++)
        {
            var actual = Unwrap(args[i]).Type;
            if (actual != function.Args[i])
            {
                throw new PromqlParseException($"expected type {TypeName(function.Args[i])} in call to function \"{function.Name}\", got {TypeName(actual)}", position);
            }
        }
        return new FunctionCall(function, args);
    }

    private static Expr Unwrap(Expr expr) => expr is ParenExpr p ? Unwrap(p.Inner) : expr;

    /// <summary>The name Prometheus gives a value type in messages ("instant vector", "range vector", …).</summary>
    public static string TypeName(ExprType type) => type switch
    {
        ExprType.Scalar => "scalar",
        ExprType.Vector => "instant vector",
        ExprType.Matrix => "range vector",
        _ => "string",
    };

    private AggregateExpr ParseAggregation(string op, int position)
    {
        IReadOnlyList<string> grouping = [];
        var without = false;
        var hasGrouping = false;
        if (IsKeyword("by") || IsKeyword("without"))
        {
            without = Next().Text == "without";
            grouping = ParseLabelList();
            hasGrouping = true;
        }
        Expect(TokenKind.LeftParen, "\"(\"");
        var args = new List<Expr>();
        if (Peek.Kind != TokenKind.RightParen)
        {
            do { args.Add(ParseExpr(0)); } while (Peek.Kind == TokenKind.Comma && Next().Kind == TokenKind.Comma);
        }
        Expect(TokenKind.RightParen, "\")\"");
        if (!hasGrouping && (IsKeyword("by") || IsKeyword("without")))
        {
            without = Next().Text == "without";
            grouping = ParseLabelList();
        }
        var needsParam = op is "topk" or "bottomk" or "quantile" or "count_values";
        if (args.Count != (needsParam ? 2 : 1))
        {
            throw new PromqlParseException($"wrong number of arguments for aggregate expression provided, expected {(needsParam ? 2 : 1)}, got {args.Count}", position);
        }
        var inner = args[^1];
        if (inner.Type != ExprType.Vector)
        {
            throw new PromqlParseException($"expected type instant vector in aggregation expression, got {TypeName(inner.Type)}", position);
        }
        Expr? param = needsParam ? args[0] : null;
        if (param is not null)
        {
            var expected = op == "count_values" ? ExprType.Text : ExprType.Scalar;
            if (param.Type != expected) throw new PromqlParseException($"expected type {TypeName(expected)} in aggregation parameter, got {TypeName(param.Type)}", position);
        }
        return new AggregateExpr(op, inner, param, grouping, without);
    }

    private List<string> ParseLabelList()
    {
        Expect(TokenKind.LeftParen, "\"(\"");
        var labels = new List<string>();
        while (Peek.Kind != TokenKind.RightParen)
        {
            var label = Expect(TokenKind.Identifier, "label name");
            if (!IsLabelName(label.Text)) throw new PromqlParseException($"invalid label name \"{label.Text}\"", label.Position);
            labels.Add(label.Text);
            if (Peek.Kind != TokenKind.Comma) break;
            Next();
        }
        Expect(TokenKind.RightParen, "\",\" or \")\"");
        return labels;
    }

    private VectorSelector ParseSelectorBody(string name)
    {
        var start = Peek.Position;
        var matchers = new List<LabelMatcher>();
        if (name.Length > 0) matchers.Add(new LabelMatcher(MatcherType.Equal, Labels.MetricName, name));
        if (Peek.Kind == TokenKind.LeftBrace)
        {
            Next();
            while (Peek.Kind != TokenKind.RightBrace)
            {
                var label = Expect(TokenKind.Identifier, "label name");
                if (!IsLabelName(label.Text)) throw new PromqlParseException($"invalid label name \"{label.Text}\"", label.Position);
                var opToken = Next();
                var type = opToken.Kind switch
                {
                    TokenKind.Assign => MatcherType.Equal,
                    TokenKind.Neq => MatcherType.NotEqual,
                    TokenKind.RegexMatch => MatcherType.Regex,
                    TokenKind.RegexNoMatch => MatcherType.NotRegex,
                    _ => throw new PromqlParseException($"unexpected \"{opToken.Text}\" in label matching, expected label matching operator", opToken.Position),
                };
                var value = Expect(TokenKind.String, "label value");
                if (name.Length > 0 && label.Text == Labels.MetricName)
                {
                    throw new PromqlParseException($"metric name must not be set twice: \"{name}\" or \"{value.Text}\"", label.Position);
                }
                try
                {
                    matchers.Add(new LabelMatcher(type, label.Text, value.Text));
                }
                catch (Exception e) when (e is ArgumentException or NotSupportedException)
                {
                    // NotSupported: lookarounds and backreferences, which Prometheus's RE2 refuses too.
                    throw new PromqlParseException($"invalid regular expression \"{value.Text}\": {e.Message}", value.Position);
                }
                if (Peek.Kind != TokenKind.Comma) break;
                Next();
            }
            Expect(TokenKind.RightBrace, "\"}\"");
        }
        if (matchers.Count == 0 || matchers.All(m => m.MatchesEmpty))
        {
            throw new PromqlParseException("vector selector must contain at least one non-empty matcher", start);
        }
        return new VectorSelector(name, matchers, 0, AtKind.None, 0);
    }

    /// <summary>True for a valid label name ([a-zA-Z_][a-zA-Z0-9_]*).</summary>
    public static bool IsLabelName(string text) =>
        text.Length > 0 && (char.IsAsciiLetter(text[0]) || text[0] == '_') && text.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static double ParseNumber(Token token)
    {
        var text = token.Text;
        // Go's ParseInt with base 0 first: 0x1f is hex, 010 is octal (8), 09 falls through to a float.
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            if (ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex) && hex <= long.MaxValue) return hex;
            throw new PromqlParseException($"bad number or duration syntax: \"{text}\"", token.Position);
        }
        if (text.Length > 1 && text[0] == '0' && text.All(c => c is >= '0' and <= '7'))
        {
            long octal = 0;
            foreach (var c in text) octal = checked(octal * 8 + (c - '0'));
            return octal;
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) return value;
        throw new PromqlParseException($"bad number or duration syntax: \"{text}\"", token.Position);
    }
}
