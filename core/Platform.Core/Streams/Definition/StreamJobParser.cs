using Platform.Core.Consumers;
using Platform.Core.Ingestion.Otlp;
using Platform.Core.Streams.Engine;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Platform.Core.Streams.Definition;

/// <summary>
/// Reads a job definition (YAML, or JSON, which YAML reads too) into the same builder calls a C# job makes, so that one
/// engine runs both. Every problem is reported, each saying where: unknown fields, a step that is none or two kinds,
/// expressions that do not parse, bad durations or aggregations, and steps in an order that cannot run.
/// </summary>
public static class StreamJobParser
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .WithDuplicateKeyChecking()
        .WithTypeConverter(new OneOrManyStrings())
        .Build();

    /// <summary>The largest definition accepted.</summary>
    public const int MaxChars = 64 * 1024;

    /// <summary>Parses and checks a definition; throws <see cref="StreamJobException"/> with every problem.</summary>
    public static StreamJob Parse(string name, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxChars) throw new StreamJobException($"A job definition is at most {MaxChars} characters.");
        StreamJobSpec? spec;
        try
        {
            Alerting.Rules.RuleFileParser.RefuseAliases(text);
            spec = Yaml.Deserialize<StreamJobSpec>(text);
        }
        catch (YamlException e)
        {
            string where = e.Start.Line > 0 ? $"line {e.Start.Line}: " : "";
            throw new StreamJobException($"{where}{(e.InnerException ?? e).Message}");
        }
        catch (Alerting.Rules.RuleFileException e)
        {
            throw new StreamJobException(e.Message);
        }

        return Build(name, spec ?? new StreamJobSpec());
    }

    private static StreamJob Build(string name, StreamJobSpec spec)
    {
        StreamJobBuilder job = StreamJobBuilder.Named(name).From([.. spec.From]);
        switch (spec.Start)
        {
            case null or "earliest": break;
            case "latest": job.StartAt(OffsetReset.Latest); break;
            default: job.Problem($"start: '{spec.Start}' is not earliest or latest."); break;
        }

        for (int i = 0; i < spec.Steps.Count; i++)
        {
            StepSpec step = spec.Steps[i];
            string at = $"steps[{i}]";
            int kinds = new object?[] { step.Filter, step.Map, step.Rekey, step.Join, step.Window, step.To, step.Metrics }.Count(k => k is not null);
            if (kinds != 1)
            {
                job.Problem($"{at}: a step is exactly one of filter, map, rekey, join, window, to, metrics.");
                continue;
            }

            if (step.Filter is { } filter) job.Where(filter);
            else if (step.Map is { } map) job.Select(map);
            else if (step.Rekey is { } rekey) job.RekeyBy(rekey);
            else if (step.To is { } to) job.To(to);
            else if (step.Metrics is { } metrics) job.ToMetrics(metrics.Name ?? "", metrics.Label ?? "key", metrics.Topic ?? OtlpOptions.DefaultMetricsTopic);
            else if (step.Join is { } join) Join(job, join, at);
            else Window(job, step.Window!, at, spec.Results);
        }

        return job.Build();
    }

    private static void Join(StreamJobBuilder job, JoinSpec join, string at)
    {
        if (string.IsNullOrEmpty(join.Table))
        {
            job.Problem($"{at}.join: name the table (a compacted topic).");
            return;
        }

        if (join.Type is not (null or "left" or "inner")) job.Problem($"{at}.join.type: '{join.Type}' is not left or inner.");
        job.Join(join.Table, join.On, join.As, inner: join.Type == "inner");
    }

    private static void Window(StreamJobBuilder job, WindowSpec w, string at, bool results)
    {
        var problems = new List<string>();
        int kinds = new object?[] { w.Tumbling, w.Hopping, w.Session }.Count(k => k is not null);
        WindowKind? kind = null;
        if (kinds != 1)
        {
            problems.Add($"{at}.window: give exactly one of tumbling, hopping, session.");
        }
        else if (w.Tumbling is { } size && Durations.TryParse(size, $"{at}.window.tumbling", out string? p1) is { } ms)
        {
            kind = WindowKind.Tumbling(ms);
        }
        else if (w.Hopping is { } hopping)
        {
            long? s = Durations.TryParse(hopping.Size, $"{at}.window.hopping.size", out string? p2);
            long? a = Durations.TryParse(hopping.Advance, $"{at}.window.hopping.advance", out string? p3);
            if (p2 is not null) problems.Add(p2);
            if (p3 is not null) problems.Add(p3);
            if (s is { } size2 && a is { } advance) kind = WindowKind.HoppingOf(size2, advance);
        }
        else if (w.Session is { } session)
        {
            if (Durations.TryParse(session.Gap, $"{at}.window.session.gap", out string? p4) is { } gap) kind = WindowKind.SessionOf(gap);
            else problems.Add(p4!);
        }
        else
        {
            Durations.TryParse(w.Tumbling, $"{at}.window.tumbling", out string? p5);
            problems.Add(p5!);
        }

        long grace = 0;
        if (w.Grace is not null)
        {
            if (Durations.TryParse(w.Grace, $"{at}.window.grace", out string? p6) is { } g) grace = g;
            else problems.Add(p6!);
        }

        if (w.Emit is not (null or "close" or "updates")) problems.Add($"{at}.window.emit: '{w.Emit}' is not close or updates.");
        IReadOnlyList<Aggregation> fields = AggregationParser.Parse(w.Aggregate, $"{at}.window", problems);
        foreach (string p in problems) job.Problem(p);
        if (kind is null) return;

        WindowBuilder window = job.WindowBy(kind).Grace(TimeSpan.FromMilliseconds(grace)).Fields(fields);
        if (w.Time is { } time) window.EventTime(time);
        if (w.Late is { } late && late != "drop") window.LateTo(late);
        if (w.Emit == "updates") window.EmitUpdates();
        if (results) window.KeepResults();
        window.Aggregate();
    }

    /// <summary>Lets <c>from</c> be one topic or a list.</summary>
    private sealed class OneOrManyStrings : IYamlTypeConverter
    {
        public bool Accepts(Type type) => type == typeof(List<string>);

        public object? ReadYaml(IParser parser, Type type, ObjectDeserializer rootDeserializer)
        {
            if (parser.TryConsume<YamlDotNet.Core.Events.Scalar>(out var scalar)) return new List<string> { scalar.Value };
            var list = new List<string>();
            parser.Consume<YamlDotNet.Core.Events.SequenceStart>();
            while (!parser.TryConsume<YamlDotNet.Core.Events.SequenceEnd>(out _))
            {
                list.Add(parser.Consume<YamlDotNet.Core.Events.Scalar>().Value);
            }

            return list;
        }

        public void WriteYaml(IEmitter emitter, object? value, Type type, ObjectSerializer serializer) => throw new NotSupportedException();
    }
}
