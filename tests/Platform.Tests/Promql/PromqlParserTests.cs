using Platform.Promql.Engine;
using Platform.Promql.Parser;
using Platform.Promql.Storage;

namespace Platform.Tests.Promql;

/// <summary>The parser: precedence, literals, modifiers, and errors that name what is wrong or unsupported.</summary>
public sealed class PromqlParserTests
{
    [Theory]
    [InlineData("-2 ^ 2", -4)]
    [InlineData("2 ^ 3 ^ 2", 512)]
    [InlineData("1 + 2 * 3", 7)]
    [InlineData("(1 + 2) * 3", 9)]
    [InlineData("10 % 4 - 1", 1)]
    [InlineData("0x1F", 31)]
    [InlineData("1e3", 1000)]
    [InlineData("-.5", -0.5)]
    [InlineData("010", 8)]
    [InlineData("09", 9)]
    [InlineData("2 > bool 1", 1)]
    [InlineData("1 == bool 2 + 0", 0)]
    public async Task Scalar_expressions_follow_promql_precedence(string query, double expected)
    {
        var value = await new QueryEngine(new EngineOptions()).InstantAsync(new InMemorySeriesStore(), query, 0, default);
        Assert.Equal(expected, Assert.IsType<ScalarValue>(value).F);
    }

    [Theory]
    [InlineData("rate(x[1h30m])", 5_400_000)]
    [InlineData("rate(x[90s] offset 1d)", 90_000)]
    [InlineData("rate(x[250ms])", 250)]
    public void Durations_parse_as_prometheus_writes_them(string query, long rangeMs)
    {
        var call = Assert.IsType<FunctionCall>(PromqlParser.Parse(query));
        Assert.Equal(rangeMs, Assert.IsType<MatrixSelector>(call.Args[0]).RangeMs);
    }

    [Theory]
    [InlineData("offset")]
    [InlineData("by")]
    [InlineData("without")]
    [InlineData("and")]
    public void Keywords_prometheus_takes_as_metric_names_are_metric_names(string name) =>
        Assert.Equal(name, Assert.IsType<VectorSelector>(PromqlParser.Parse(name)).Name);

    [Fact]
    public void Regexes_are_anchored_to_the_end_dot_stops_at_newlines_and_named_groups_work()
    {
        Assert.False(new Platform.Promql.Series.LabelMatcher(Platform.Promql.Series.MatcherType.Regex, "v", "a").Matches("a\n"));
        Assert.False(new Platform.Promql.Series.LabelMatcher(Platform.Promql.Series.MatcherType.Regex, "v", "a.b").Matches("a\nb"));
        Assert.True(new Platform.Promql.Series.LabelMatcher(Platform.Promql.Series.MatcherType.Regex, "v", "(?P<x>a)b").Matches("ab"));
        // Linear-time matching: the classic catastrophic pattern answers at once.
        Assert.False(new Platform.Promql.Series.LabelMatcher(Platform.Promql.Series.MatcherType.Regex, "v", "(a+)+$").Matches(new string('a', 5_000) + "!"));
    }

    [Fact]
    public void Keywords_are_label_names_inside_braces_and_modifiers_outside()
    {
        var selector = Assert.IsType<VectorSelector>(PromqlParser.Parse("x{on=\"a\", bool=\"b\", offset='c', by=`d\\n`} offset -5m @ 100"));
        Assert.Equal(["__name__", "on", "bool", "offset", "by"], selector.Matchers.Select(m => m.Name));
        Assert.Equal("d\\n", selector.Matchers[^1].Value);
        Assert.Equal((-300_000L, AtKind.Timestamp, 100_000L), (selector.OffsetMs, selector.At, selector.AtMs));
        var binary = Assert.IsType<BinaryExpr>(PromqlParser.Parse("a * on(job) group_left(version) b"));
        Assert.Equal((Cardinality.ManyToOne, true), (binary.Matching!.Card, binary.Matching.On));
        Assert.Equal(["version"], binary.Matching.Include);
    }

    [Theory]
    [InlineData("sum(x[5m])", "expected type instant vector in aggregation expression")]
    [InlineData("rate(x)", "expected type range vector in call to function \"rate\"")]
    [InlineData("max_over_time(x[10m:1m])", "subqueries are not supported")]
    [InlineData("holt_winters(x[5m], 0.5, 0.5)", "function \"holt_winters\" is not supported")]
    [InlineData("nosuch(x)", "unknown function with name \"nosuch\"")]
    [InlineData("1 > 2", "comparisons between scalars must use BOOL modifier")]
    [InlineData("x and 1", "set operator \"and\" not allowed in binary scalar expression")]
    [InlineData("{job=~\".*\"}", "vector selector must contain at least one non-empty matcher")]
    [InlineData("x{a=~\"(\"}", "invalid regular expression")]
    [InlineData("x{__name__=\"y\"}", "metric name must not be set twice")]
    [InlineData("x +", "unexpected end of input")]
    [InlineData("", "no expression found in input")]
    [InlineData("\"unterminated", "unterminated quoted string")]
    [InlineData("x offset 5m offset 1m", "offset may not be set multiple times")]
    [InlineData("topk(x, y)", "expected type scalar in aggregation parameter")]
    [InlineData("x + on(a) group_left(a) y", "must not occur in ON and GROUP clause at once")]
    [InlineData("0xffffffffffffffff", "bad number or duration syntax")]
    [InlineData("{\"a\"=\"b\"}", "label name")]
    [InlineData("\"\\'\"", "unknown escape sequence")]
    [InlineData("x{a=\"\\01\"}", "unknown escape sequence")]
    [InlineData("\"\\ud800\"", "invalid Unicode code point")]
    [InlineData("\"\\U00110000\"", "invalid Unicode code point")]
    [InlineData("rate(x[300y])", "expected range")]
    [InlineData("x @ 1e300", "timestamp out of bounds")]
    [InlineData("x * on(job) 2", "vector matching only allowed between instant vectors")]
    public void Bad_queries_say_what_is_wrong(string query, string expected)
    {
        var error = Assert.Throws<PromqlParseException>(() => PromqlParser.Parse(query));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(5_000, "(")]
    [InlineData(5_000, "-")]
    [InlineData(5_000, "abs(")]
    public void Deep_nesting_is_a_parse_error_not_a_stack_overflow(int depth, string opener)
    {
        var query = string.Concat(Enumerable.Repeat(opener, depth)) + "x" + (opener == "-" ? "" : new string(')', depth));
        Assert.Contains("nested more than", Assert.Throws<PromqlParseException>(() => PromqlParser.Parse(query)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_long_chain_of_operators_is_bounded_too()
    {
        var query = string.Join(" + ", Enumerable.Repeat("x", 50_000));
        Assert.Contains("nested more than", Assert.Throws<PromqlParseException>(() => PromqlParser.Parse(query)).Message, StringComparison.Ordinal);
        // Number literals fold as they parse, so a long arithmetic chain of constants stays one node.
        Assert.IsType<NumberLiteral>(PromqlParser.Parse(string.Join(" + ", Enumerable.Repeat("1", 50_000))));
    }
}
