namespace Platform.Core.Streams.Definition;

/// <summary>
/// A declarative stream job as uploaded (JSON or YAML): the topics it reads, its steps in order, and whether window
/// results are kept in a queryable table. Field names are camelCase in both forms.
/// </summary>
public sealed class StreamJobSpec
{
    /// <summary>One topic or several (a list).</summary>
    public List<string> From { get; set; } = [];

    /// <summary>The steps, applied in order to each record.</summary>
    public List<StepSpec> Steps { get; set; } = [];

    /// <summary>Keep window results in the job's results table (<c>GET /api/jobs/{name}/results</c>).</summary>
    public bool Results { get; set; }

    /// <summary>Where a new job starts reading: earliest (default) or latest.</summary>
    public string? Start { get; set; }
}

/// <summary>One step: exactly one of its fields is set.</summary>
public sealed class StepSpec
{
    /// <summary>A JMESPath expression; records for which it is falsy (false, null, empty) are dropped.</summary>
    public string? Filter { get; set; }

    /// <summary>A JMESPath expression whose result becomes the record's value.</summary>
    public string? Map { get; set; }

    /// <summary>A JMESPath expression whose result (as text) becomes the record's key.</summary>
    public string? Rekey { get; set; }

    /// <summary>A lookup in a compacted topic's keyed view.</summary>
    public JoinSpec? Join { get; set; }

    /// <summary>A window aggregation by key.</summary>
    public WindowSpec? Window { get; set; }

    /// <summary>An output topic: records go there (and on to the next step, if any).</summary>
    public string? To { get; set; }

    /// <summary>Numeric fields as Prometheus series (through the OTLP metrics topic).</summary>
    public MetricsSpec? Metrics { get; set; }
}

/// <summary>Window results as series: <c>{name}_{field}{job, label=key}</c>.</summary>
public sealed class MetricsSpec
{
    /// <summary>The series names' prefix.</summary>
    public string? Name { get; set; }

    /// <summary>The label that holds the record's key (default <c>key</c>).</summary>
    public string? Label { get; set; }

    /// <summary>The OTLP metrics topic (default <c>otlp.metrics</c>).</summary>
    public string? Topic { get; set; }
}

/// <summary>A table join.</summary>
public sealed class JoinSpec
{
    /// <summary>The compacted topic whose keyed view is the table.</summary>
    public string? Table { get; set; }

    /// <summary>JMESPath giving the lookup key (default: the record's key).</summary>
    public string? On { get; set; }

    /// <summary>The field the table's value is put under (default: the table's name).</summary>
    public string? As { get; set; }

    /// <summary>left (default: keep records without a match, the field null) or inner (drop them).</summary>
    public string? Type { get; set; }
}

/// <summary>A window aggregation.</summary>
public sealed class WindowSpec
{
    /// <summary>Tumbling windows of this size (a duration: <c>60s</c>, <c>5m</c>, <c>1h</c>, <c>500ms</c>).</summary>
    public string? Tumbling { get; set; }

    /// <summary>Hopping windows.</summary>
    public HoppingSpec? Hopping { get; set; }

    /// <summary>Session windows.</summary>
    public SessionSpec? Session { get; set; }

    /// <summary>JMESPath giving the event time (Unix ms, or an ISO 8601 string); default: the record's timestamp.</summary>
    public string? Time { get; set; }

    /// <summary>How late a record may come after its window ended (default 0).</summary>
    public string? Grace { get; set; }

    /// <summary>Later records: <c>drop</c> (default; counted) or a topic's name to send them to.</summary>
    public string? Late { get; set; }

    /// <summary><c>close</c> (default: one final result per window) or <c>updates</c> (also the current value as it changes).</summary>
    public string? Emit { get; set; }

    /// <summary>Result fields: a name to <c>count</c>, or to <c>{sum|min|max|avg|distinct: expression}</c>, or <c>{percentile: expression, q: 0.95}</c>.</summary>
    public Dictionary<string, object?> Aggregate { get; set; } = [];
}

/// <summary>Hopping windows: of <see cref="Size"/>, starting every <see cref="Advance"/>.</summary>
public sealed class HoppingSpec
{
    /// <summary>Window length.</summary>
    public string? Size { get; set; }

    /// <summary>Distance between window starts.</summary>
    public string? Advance { get; set; }
}

/// <summary>Session windows: a key's records closer than <see cref="Gap"/> belong together.</summary>
public sealed class SessionSpec
{
    /// <summary>Inactivity that ends a session.</summary>
    public string? Gap { get; set; }
}
