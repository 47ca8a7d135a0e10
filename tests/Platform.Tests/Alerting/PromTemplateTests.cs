using Platform.Core.Alerting.Templates;

namespace Platform.Tests.Alerting;

/// <summary>Rule templates render as Prometheus renders them.</summary>
public sealed class PromTemplateTests
{
    private static readonly TemplateData Data = new(
        new Dictionary<string, string> { ["job"] = "api", ["instance"] = "vm7:9100" }, 1234567.891,
        new Dictionary<string, string> { ["cluster"] = "eu1" }, "https://platform.example");

    [Theory]
    [InlineData("{{ $labels.job }} is down", "api is down")]
    [InlineData("{{ .Labels.job }}/{{ $labels.missing }}!", "api/<no value>!")]
    [InlineData("{{ \"hELLO wORLD\" | title }}", "HELLO WORLD")]
    [InlineData("{{ if gt (len $labels) 1.0 }}many{{ end }}", "many")]
    [InlineData("{{ humanizeTimestamp 1767225600 }}", "2026-01-01 00:00:00 +0000 UTC")]
    [InlineData("{{ $value }}", "1.234567891e+06")]
    [InlineData("{{ $value | humanize }}", "1.235M")]
    [InlineData("{{ humanize 0.00123 }}", "1.23m")]
    [InlineData("{{ humanize1024 1048576 }}", "1Mi")]
    [InlineData("{{ humanizePercentage 0.1234 }}", "12.34%")]
    [InlineData("{{ humanizeDuration 3725 }}", "1h 2m 5s")]
    [InlineData("{{ humanizeDuration 0.25 }}", "250ms")]
    [InlineData("{{ printf \"%.2f\" $value }}", "1234567.89")]
    [InlineData("{{ $externalLabels.cluster }} {{ $externalURL }}", "eu1 https://platform.example")]
    [InlineData("{{ if gt $value 1000.0 }}big{{ else }}small{{ end }}", "big")]
    [InlineData("{{ if eq $labels.job \"web\" }}web{{ else if eq $labels.job \"api\" }}api{{ end }}", "api")]
    [InlineData("{{ $labels.instance | stripPort | toUpper }}", "VM7")]
    [InlineData("{{- /* a comment */ -}}  x  {{- \"y\" }}", "xy")]
    [InlineData("{{ $x := $labels.job }}{{ $x }}{{ $x }}", "apiapi")]
    [InlineData("{{ reReplaceAll \"(.*):.*\" \"$1\" $labels.instance }}", "vm7")]
    public void Templates_render_like_prometheus(string template, string expected) =>
        Assert.Equal(expected, PromTemplate.Parse(template).Render(Data));

    [Theory]
    [InlineData("{{ $labels.job ", "unclosed action")]
    [InlineData("{{ query \"up\" }}", "not supported")]
    [InlineData("{{ nosuch $value }}", "function \"nosuch\" not defined")]
    [InlineData("{{ if $value }}x", "if without end")]
    [InlineData("{{ range $labels }}x{{ end }}", "not supported")]
    [InlineData("{{ ((((((((((((((((((((((((((((((((((((((((((((((((((((1)))))))))))))))))))))))))))))))))))))))))))))))))))) }}", "nested more than")]
    public void Templates_that_do_not_parse_say_why(string template, string expected) =>
        Assert.Contains(expected, Assert.Throws<TemplateException>(() => PromTemplate.Parse(template)).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("{{ humanizeTimestamp 1767225600000 }}")]
    [InlineData("{{ printf \"%.99999999999f\" 1.0 }}")]
    [InlineData("{{ reReplaceAll \"(?=x)\" \"\" \"a\" }}")]
    public void A_template_that_fails_when_rendered_renders_the_error_as_prometheus_does(string template) =>
        Assert.True(PromTemplate.Expand(template, Data).StartsWith("<error expanding template:", StringComparison.Ordinal) || PromTemplate.Expand(template, Data).Contains("BADPREC", StringComparison.Ordinal),
            PromTemplate.Expand(template, Data));
}
