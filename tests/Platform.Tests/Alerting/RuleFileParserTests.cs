using Platform.Benchmarks.Peers;
using Platform.Core.Alerting.Rules;
using Platform.Tests.Promql;

namespace Platform.Tests.Alerting;

/// <summary>Rule files are read and refused as Prometheus's promtool reads and refuses them.</summary>
public sealed class RuleFileParserTests
{
    private const string Good = """
        groups:
          - name: service-health
            interval: 30s
            rules:
              - record: job:log_errors:rate1m
                expr: sum by (job) (rate(log_records_total{severity="ERROR"}[1m]))
              - alert: ErrorsHigh
                expr: job:log_errors:rate1m > 1
                for: 2m
                keep_firing_for: 1m
                labels:
                  severity: page
                  team: '{{ $labels.job }}-oncall'
                annotations:
                  summary: '{{ $labels.job }} logs {{ $value | humanize }} errors/s'
                  description: >-
                    {{ if gt $value 10.0 }}very {{ end }}high error rate
          - name: other
            rules:
              - alert: Always
                expr: vector(1)
        """;

    /// <summary>Files promtool refuses, each with what our answer must say.</summary>
    public static TheoryData<string, string> Bad => new()
    {
        { "groups:\n  - name: a\n    rules:\n      - alert: X\n        record: y\n        expr: up\n", "only one of 'record' and 'alert' must be set" },
        { "groups:\n  - name: a\n    rules:\n      - expr: up\n", "one of 'record' or 'alert' must be set" },
        { "groups:\n  - name: a\n    rules:\n      - alert: X\n", "field 'expr' must be set in rule" },
        { "groups:\n  - name: a\n    rules:\n      - alert: X\n        expr: sum(up\n", "could not parse expression" },
        { "groups:\n  - name: a\n    rules:\n      - record: 'bad name'\n        expr: up\n", "invalid recording rule name" },
        { "groups:\n  - name: a\n    rules:\n      - record: r\n        expr: up\n        for: 1m\n", "invalid field 'for' in recording rule" },
        { "groups:\n  - name: a\n    rules:\n      - record: r\n        expr: up\n        annotations: {a: b}\n", "invalid field 'annotations' in recording rule" },
        { "groups:\n  - name: a\n    rules:\n      - alert: X\n        expr: up\n        labels: {'bad-label': x}\n", "invalid label name: bad-label" },
        { "groups:\n  - name: a\n    rules:\n      - alert: X\n        expr: up\n        annotations: {'1x': y}\n", "invalid annotation name: 1x" },
        { "groups:\n  - name: a\n    rules:\n      - alert: X\n        expr: up\n        for: soon\n", "not a valid duration" },
        { "groups:\n  - name: a\n    rules:\n      - alert: X\n        expr: up\n        annotations: {s: '{{ $labels.job '}\n", "template" },
        { "groups:\n  - name: a\n    rules: []\n  - name: a\n    rules: []\n", "is repeated in the same file" },
        { "groups:\n  - name: ''\n    rules: []\n", "Groupname must not be empty" },
        { "groups:\n  - name: a\n    rules:\n      - alert: X\n        expr: up\n        severity: page\n", "severity" },
        { "groups:\n  - name: a\n    rules:\n      - alert: X\n        expr: up[5m]\n", "must be of type vector or scalar" },
        { "groups:\n  - name: a\n    rules:\n      - alert: X\n        expr: up\n        expr: down\n", "duplicate key" },
        { "groups:\n  - name: a\n    rules:\n      - &r {alert: X, expr: up}\n      - *r\n", "anchors and aliases are not supported" },
    };

    /// <summary>Refused here, taken by promtool (which only parses): a rule whose expression is a range vector fails at every evaluation in Prometheus.</summary>
    private static readonly string[] StricterThanPromtool = ["must be of type vector or scalar", "anchors and aliases are not supported"];

    [Fact]
    public void A_valid_file_parses_into_groups_with_their_rules_and_intervals()
    {
        var groups = RuleFileParser.Parse(Good, TimeSpan.FromMinutes(1));
        Assert.Equal(["service-health", "other"], groups.Select(g => g.Name));
        Assert.Equal([TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1)], groups.Select(g => g.Interval));
        var alert = groups[0].Rules[1];
        Assert.Equal(("ErrorsHigh", TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(1)), (alert.Alert, alert.For, alert.KeepFiringFor));
        Assert.Equal("job:log_errors:rate1m", groups[0].Rules[0].Record);
        var split = RuleFileParser.SplitGroups(Good);
        Assert.Equal("service-health", Assert.Single(RuleFileParser.Parse(split["service-health"], TimeSpan.FromMinutes(1))).Name);
    }

    [Theory]
    [MemberData(nameof(Bad))]
    public void A_bad_file_is_refused_naming_the_group_rule_and_problem(string yaml, string expected)
    {
        var error = Assert.Throws<RuleFileException>(() => RuleFileParser.Parse(yaml, TimeSpan.FromMinutes(1)));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("groups:\n  - name: g\n    rules:\n")]
    [InlineData("groups:\n")]
    [InlineData("groups:\n  - name: g\n    rules:\n      - alert: X\n        expr: up\n        labels: {team: }\n        annotations: {a: }\n")]
    public void Empty_values_are_empty_as_prometheus_reads_them(string yaml) =>
        Assert.NotNull(RuleFileParser.Parse(yaml, TimeSpan.FromMinutes(1)));

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var error = Assert.Throws<RuleFileException>(() => RuleFileParser.Parse(
            "groups:\n  - name: a\n    rules:\n      - alert: X\n        expr: sum(\n      - record: 'r r'\n        expr: up\n", TimeSpan.FromMinutes(1)));
        Assert.Equal(2, error.Problems.Count);
        Assert.Contains("group 1 \"a\", rule 1 \"X\"", error.Problems[0], StringComparison.Ordinal);
        Assert.Contains("rule 2 \"r r\"", error.Problems[1], StringComparison.Ordinal);
    }

    [PrometheusFact]
    public async Task Whatever_promtool_refuses_is_refused_and_what_it_takes_is_taken()
    {
        var files = Bad.Where(row => !StricterThanPromtool.Contains((string)row[1])).Select(row => ((string)row[0], false)).Append((Good, true)).ToList();
        foreach (var (yaml, valid) in files)
        {
            var path = Path.Combine(Path.GetTempPath(), $"rules-{Guid.NewGuid():N}.yml");
            await File.WriteAllTextAsync(path, yaml);
            try
            {
                var (code, output) = await PrometheusServer.RunAsync(PrometheusServer.PromtoolBinary!, ["check", "rules", path], CancellationToken.None);
                Assert.True((code == 0) == valid, $"promtool {(code == 0 ? "took" : "refused")} this file:\n{yaml}\n{output}");
                var ours = Record.Exception(() => RuleFileParser.Parse(yaml, TimeSpan.FromMinutes(1)));
                Assert.True((ours is null) == valid, $"we {(ours is null ? "took" : "refused")} this file:\n{yaml}\n{ours?.Message}");
            }
            finally
            {
                File.Delete(path);
            }
        }
    }
}
