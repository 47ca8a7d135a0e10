using Newtonsoft.Json.Linq;
using Platform.Core.Consumers;
using Platform.Core.Ingestion.Otlp;
using Platform.Core.Streams.Definition;
using Platform.Core.Streams.Engine;

namespace Platform.Core.Streams;

/// <summary>A job written in C#: registered in DI, run by the same engine as uploaded ones.</summary>
public interface IStreamJob
{
    /// <summary>Defines the job's topics and steps.</summary>
    StreamJob Build();
}

/// <summary>
/// Builds a stream job: <c>From</c> topics, then steps in order — <c>Where</c>, <c>Select</c>, <c>RekeyBy</c>,
/// <c>Join</c>, <c>WindowBy(…).Count/Sum/…​.Aggregate()</c>, <c>To</c> — each taking a JMESPath expression or a C#
/// function. The declarative form is read into these same calls.
/// </summary>
public sealed class StreamJobBuilder
{
    private readonly string _name;
    private readonly List<string> _inputs = [];
    private readonly List<StreamStep> _steps = [];
    private readonly List<string> _problems = [];
    private OffsetReset _start = OffsetReset.Earliest;

    private StreamJobBuilder(string name)
    {
        _name = name;
        if (JobName.Validate(name) is { } problem) _problems.Add(problem);
    }

    /// <summary>Starts a job of this name.</summary>
    public static StreamJobBuilder Named(string name) => new(name);

    internal int StepCount => _steps.Count;

    /// <summary>The topics to read (records of each partition in order; partitions in parallel).</summary>
    public StreamJobBuilder From(params string[] topics)
    {
        _inputs.AddRange(topics ?? []);
        return this;
    }

    /// <summary>Where a partition never processed starts: earliest (default) or latest.</summary>
    public StreamJobBuilder StartAt(OffsetReset start)
    {
        _start = start;
        return this;
    }

    /// <summary>Keeps records for which the JMESPath expression is truthy.</summary>
    public StreamJobBuilder Where(string expression) => Step(() => JsonPath.Compile(expression, At("filter")), path => new FilterStep(() =>
    {
        JsonPath compiled = JsonPath.Compile(expression, "filter");
        return r => compiled.Test(r.Value);
    }));

    /// <summary>Keeps records for which <paramref name="predicate"/> holds.</summary>
    public StreamJobBuilder Where(Func<StreamRecord, bool> predicate)
    {
        _steps.Add(new FilterStep(() => predicate));
        return this;
    }

    /// <summary>Replaces each record's value with the JMESPath expression's result (computed fields: a multi-select hash).</summary>
    public StreamJobBuilder Select(string expression) => Step(() => JsonPath.Compile(expression, At("map")), path => new MapStep(() =>
    {
        JsonPath compiled = JsonPath.Compile(expression, "map");
        return r => compiled.Evaluate(r.Value);
    }));

    /// <summary>Replaces each record's value with <paramref name="map"/>'s result.</summary>
    public StreamJobBuilder Select(Func<StreamRecord, JToken?> map)
    {
        _steps.Add(new MapStep(() => map));
        return this;
    }

    /// <summary>Gives each record the JMESPath expression's result as its key (a <c>To</c> then partitions by it).</summary>
    public StreamJobBuilder RekeyBy(string expression) => Step(() => JsonPath.Compile(expression, At("rekey")), path => new RekeyStep(() =>
    {
        JsonPath compiled = JsonPath.Compile(expression, "rekey");
        return r => compiled.Evaluate(r.Value);
    }, expression));

    /// <summary>Gives each record <paramref name="key"/>'s result as its key.</summary>
    public StreamJobBuilder RekeyBy(Func<StreamRecord, string?> key, string description = "a C# function")
    {
        _steps.Add(new RekeyStep(() => r => key(r) is { } k ? new JValue(k) : null, description));
        return this;
    }

    /// <summary>
    /// Looks each record up in a compacted topic's keyed view by <paramref name="on"/> (a JMESPath expression; default the
    /// record's key) and puts the value under <paramref name="field"/> (default the table's name); <paramref name="inner"/>
    /// drops records without a match.
    /// </summary>
    public StreamJobBuilder Join(string table, string? on = null, string? field = null, bool inner = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(table);
        if (on is not null)
        {
            try
            {
                JsonPath.Compile(on, At("join.on"));
            }
            catch (StreamJobException e)
            {
                _problems.AddRange(e.Problems);
                return this;
            }
        }

        _steps.Add(new JoinStep(table, on is null ? null : () =>
        {
            JsonPath compiled = JsonPath.Compile(on, "join.on");
            return r => compiled.Evaluate(r.Value);
        }, field ?? table, inner));
        return this;
    }

    /// <summary>Starts a window aggregation by key; finish it with the result fields and <see cref="WindowBuilder.Aggregate"/>.</summary>
    public WindowBuilder WindowBy(WindowKind kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        return new WindowBuilder(this, kind, At("window"));
    }

    /// <summary>Writes records to <paramref name="topic"/> (partitioned by their key) and hands them on.</summary>
    public StreamJobBuilder To(string topic)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        _steps.Add(new ToStep(topic));
        return this;
    }

    /// <summary>
    /// Writes each record's numeric fields (a window's results) as gauges <c>{name}_{field}</c>, labelled with the record's
    /// key under <paramref name="label"/> and <c>job</c>, to the OTLP metrics topic: Prometheus series for PromQL and alerts.
    /// </summary>
    public StreamJobBuilder ToMetrics(string name, string label = "key", string topic = OtlpOptions.DefaultMetricsTopic)
    {
        if (!IsName(name)) _problems.Add($"{At("metrics")}.name: '{name}' is not a metric name (letters, digits, '_').");
        else if (!IsName(label) || label is "job" or "instance") _problems.Add($"{At("metrics")}.label: '{label}' is not a label name for the key (letters, digits, '_'; not job or instance).");
        else _steps.Add(new MetricsStep(topic, name!, label!));
        return this;

        static bool IsName(string? text) => text is { Length: <= 101 } && Platform.Promql.Parser.PromqlParser.IsLabelName(text);
    }

    /// <summary>The job; throws <see cref="StreamJobException"/> with every reason it cannot run.</summary>
    public StreamJob Build()
    {
        var problems = new List<string>(_problems);
        if (_inputs.Count == 0) problems.Add("from: name at least one topic to read.");
        if (_inputs.Distinct(StringComparer.Ordinal).Count() != _inputs.Count) problems.Add("from: a topic is named twice.");
        if (_steps.Count == 0) problems.Add("steps: give at least one step.");
        int windows = _steps.Count(s => s is WindowStep);
        if (windows > 0 && _inputs.Count > 1)
        {
            problems.Add("from: a job with a window reads one topic (each input partition keeps its own windows and watermark): merge the topics into one first, or run one job per topic.");
        }

        if (windows > 1) problems.Add("steps: one window per job; write its results to a topic and aggregate them in a second job.");
        int window = _steps.FindIndex(s => s is WindowStep);
        int rekey = _steps.FindIndex(s => s is RekeyStep);
        if (window >= 0 && rekey >= 0 && rekey < window)
        {
            problems.Add("steps: a window after a rekey would count each key on every partition it arrives on: write the rekeyed records `to` a topic and window them in a second job (a two-stage topology).");
        }

        if (_steps.Count > 0 && _steps[^1] is not (ToStep or WindowStep or MetricsStep))
        {
            problems.Add("steps: the last step must be a `to` or `metrics` (or a window keeping its results): otherwise the job's records go nowhere.");
        }

        if (_steps.Count > 0 && _steps[^1] is WindowStep last && !last.Setup.KeepResults)
        {
            problems.Add("steps: a window at the end must keep its results (results: true), or be followed by a `to`.");
        }

        if (problems.Count > 0) throw new StreamJobException(problems);
        return new StreamJob(_name, [.. _inputs], [.. _steps], _start);
    }

    internal void Problem(string problem) => _problems.Add(problem);

    internal StreamJobBuilder Add(StreamStep step)
    {
        _steps.Add(step);
        return this;
    }

    private string At(string step) => $"steps[{_steps.Count}].{step}";

    private StreamJobBuilder Step(Func<JsonPath> check, Func<JsonPath, StreamStep> make)
    {
        try
        {
            _steps.Add(make(check()));
        }
        catch (StreamJobException e)
        {
            _problems.AddRange(e.Problems);
        }

        return this;
    }
}

/// <summary>A window being defined: its event time, grace, late records, emission and result fields.</summary>
public sealed class WindowBuilder
{
    private readonly StreamJobBuilder _job;
    private readonly WindowKind _kind;
    private readonly string _where;
    private readonly List<Aggregation> _fields = [];
    private Func<Func<StreamRecord, long?>> _time = () => r => r.Timestamp;
    private long _graceMs;
    private string? _late;
    private bool _updates;
    private bool _results;

    internal WindowBuilder(StreamJobBuilder job, WindowKind kind, string where)
    {
        _job = job;
        _kind = kind;
        _where = where;
        if (kind is WindowKind.Hopping h && (h.SizeMs <= 0 || h.AdvanceMs <= 0 || h.AdvanceMs > h.SizeMs || h.SizeMs / h.AdvanceMs > 20))
        {
            job.Problem($"{where}: a window's size and advance must be positive, the advance at most the size, and a record in at most 20 windows (size/advance).");
        }

        if (kind is WindowKind.Session s && s.GapMs <= 0) job.Problem($"{where}: a session gap must be positive.");
    }

    /// <summary>The event time: a JMESPath expression giving Unix ms or ISO 8601 text (default: the record's timestamp).</summary>
    public WindowBuilder EventTime(string expression)
    {
        try
        {
            JsonPath.Compile(expression, $"{_where}.time");
            _time = () =>
            {
                JsonPath compiled = JsonPath.Compile(expression, "time");
                return r => Time(compiled.Evaluate(r.Value));
            };
        }
        catch (StreamJobException e)
        {
            foreach (string p in e.Problems) _job.Problem(p);
        }

        return this;
    }

    /// <summary>The event time from a C# function.</summary>
    public WindowBuilder EventTime(Func<StreamRecord, long?> time)
    {
        _time = () => time;
        return this;
    }

    /// <summary>How long after its end a window still takes records.</summary>
    public WindowBuilder Grace(TimeSpan grace)
    {
        if (grace < TimeSpan.Zero) _job.Problem($"{_where}.grace: must not be negative.");
        _graceMs = (long)grace.TotalMilliseconds;
        return this;
    }

    /// <summary>Sends late records to <paramref name="topic"/> instead of dropping them (they are counted either way).</summary>
    public WindowBuilder LateTo(string topic)
    {
        _late = topic;
        return this;
    }

    /// <summary>Also hands on each window's current value (<c>final: false</c>) after each batch that changed it.</summary>
    public WindowBuilder EmitUpdates()
    {
        _updates = true;
        return this;
    }

    /// <summary>Keeps final results in the job's results table.</summary>
    public WindowBuilder KeepResults()
    {
        _results = true;
        return this;
    }

    /// <summary>Counts records.</summary>
    public WindowBuilder Count(string name) => Field(name, AggregationKind.Count, null);

    /// <summary>Sums an expression.</summary>
    public WindowBuilder Sum(string name, string of) => Field(name, AggregationKind.Sum, of);

    /// <summary>The smallest value of an expression.</summary>
    public WindowBuilder Min(string name, string of) => Field(name, AggregationKind.Min, of);

    /// <summary>The largest value of an expression.</summary>
    public WindowBuilder Max(string name, string of) => Field(name, AggregationKind.Max, of);

    /// <summary>The mean of an expression.</summary>
    public WindowBuilder Avg(string name, string of) => Field(name, AggregationKind.Avg, of);

    /// <summary>Distinct values of an expression (HyperLogLog, about 1.6 % error).</summary>
    public WindowBuilder Distinct(string name, string of) => Field(name, AggregationKind.Distinct, of);

    /// <summary>A percentile (0 &lt; q ≤ 1) of an expression (HdrHistogram: within 1 %).</summary>
    public WindowBuilder Percentile(string name, string of, double q)
    {
        if (q is <= 0 or > 1) _job.Problem($"{_where}.aggregate.{name}: q must be between 0 and 1.");
        return Field(name, AggregationKind.Percentile, of, q);
    }

    internal WindowBuilder Fields(IEnumerable<Aggregation> fields)
    {
        _fields.AddRange(fields);
        return this;
    }

    /// <summary>Ends the window; the job goes on with its results (key, start, end, fields, final).</summary>
    public StreamJobBuilder Aggregate()
    {
        if (_fields.Count == 0) _job.Problem($"{_where}.aggregate: give at least one result field.");
        if (_fields.Select(f => f.Name).Distinct(StringComparer.Ordinal).Count() != _fields.Count) _job.Problem($"{_where}.aggregate: a field name is used twice.");
        if (_fields.Count > 16) _job.Problem($"{_where}.aggregate: at most 16 result fields per window.");
        if (_fields.Count(f => f.Kind == AggregationKind.Distinct) > 8) _job.Problem($"{_where}.aggregate: at most 8 distinct counts per window (each keeps a 4 KiB sketch per window and key).");
        if (_fields.Count(f => f.Kind == AggregationKind.Percentile) > 2) _job.Problem($"{_where}.aggregate: at most 2 percentiles per window (each keeps a histogram of tens of KiB per window and key).");
        (WindowKind kind, long grace, string? late, bool updates, bool results, Func<Func<StreamRecord, long?>> time) = (_kind, _graceMs, _late, _updates, _results, _time);
        IReadOnlyList<Aggregation> shape = [.. _fields];
        IReadOnlyList<string> expressions = [.. _fields.Select(f => f.Of?.Text ?? "")];
        // Each task compiles its own expressions (JmesPath.Net keeps evaluation scope per expression).
        WindowSetup Make() => new(kind, [.. shape.Select((f, i) => f with { Of = f.Of is null ? null : JsonPath.Compile(expressions[i], f.Name) })], time(), grace, late, updates, results);
        return _job.Add(new WindowStep(Make, Make()));
    }

    private WindowBuilder Field(string name, AggregationKind kind, string? of, double q = 0)
    {
        try
        {
            _fields.Add(new Aggregation(name, kind, of is null ? null : JsonPath.Compile(of, $"{_where}.aggregate.{name}"), q));
        }
        catch (StreamJobException e)
        {
            foreach (string p in e.Problems) _job.Problem(p);
        }

        return this;
    }

    // A number of ms, or text with a full date (a time of day alone would take today's date: a replay on another day
    // would compute another time).
    private static long? Time(JToken? value) => value switch
    {
        JValue { Type: JTokenType.Integer or JTokenType.Float } n when n.Value<double>() is >= 0 and < 1e17 => (long)n.Value<double>(),
        JValue { Type: JTokenType.String } s when s.Value<string>() is { Length: >= 10 } text && char.IsAsciiDigit(text[0]) && text[4] == '-' && text[7] == '-'
            && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out DateTimeOffset t) => t.ToUnixTimeMilliseconds(),
        _ => null,
    };
}

/// <summary>Rules for job names: they become parts of table keys and of the dead-letter topic's name.</summary>
public static class JobName
{
    /// <summary>Null when valid, otherwise why not.</summary>
    public static string? Validate(string? name) =>
        string.IsNullOrEmpty(name) ? "A job needs a name."
        : name.Length > 100 ? "A job name is at most 100 characters."
        : name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.') && char.IsAsciiLetterOrDigit(name[0]) ? null
        : $"Job name '{name}' must be lower-case letters, digits, '.', '_' or '-', starting with a letter or digit.";
}
