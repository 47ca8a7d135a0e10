namespace Platform.Core.Alerting.Rules;

/// <summary>A Prometheus rule file: <c>groups:</c> of rules (the YAML model, as written).</summary>
public sealed class RuleFile
{
    /// <summary>The rule groups.</summary>
    public List<RuleGroupSpec> Groups { get; set; } = [];
}

/// <summary>One group: evaluated together, every <see cref="Interval"/>.</summary>
public sealed class RuleGroupSpec
{
    /// <summary>Group name, unique.</summary>
    public string Name { get; set; } = "";

    /// <summary>Evaluation interval (a Prometheus duration); empty for the default.</summary>
    public string? Interval { get; set; }

    /// <summary>Most alerts or series one rule may produce (0: no limit).</summary>
    public int Limit { get; set; }

    /// <summary>The rules, in evaluation order.</summary>
    public List<RuleSpec> Rules { get; set; } = [];
}

/// <summary>A recording rule (<see cref="Record"/>) or an alerting rule (<see cref="Alert"/>).</summary>
public sealed class RuleSpec
{
    /// <summary>Name of the series a recording rule writes.</summary>
    public string? Record { get; set; }

    /// <summary>Name of the alert an alerting rule raises.</summary>
    public string? Alert { get; set; }

    /// <summary>The PromQL expression.</summary>
    public string? Expr { get; set; }

    /// <summary>How long an alert must hold before it fires.</summary>
    public string? For { get; set; }

    /// <summary>How long an alert keeps firing after its condition stops holding.</summary>
    public string? KeepFiringFor { get; set; }

    /// <summary>Labels added to the alert or series (templates allowed in alerting rules).</summary>
    public Dictionary<string, string>? Labels { get; set; }

    /// <summary>Annotations of the alert (templates).</summary>
    public Dictionary<string, string>? Annotations { get; set; }
}
