using Platform.Core.Consumers;
using Platform.Core.Streams.Engine;

namespace Platform.Core.Streams;

/// <summary>
/// A stream job ready to run: the topics it reads and its steps. Made by <see cref="StreamJobBuilder"/>, from C# or
/// from an uploaded definition (<see cref="Definition.StreamJobParser"/>): one engine either way.
/// </summary>
public sealed class StreamJob
{
    internal StreamJob(string name, IReadOnlyList<string> inputs, IReadOnlyList<StreamStep> steps, OffsetReset start)
    {
        Name = name;
        Inputs = inputs;
        Steps = steps;
        Start = start;
    }

    /// <summary>The job's name.</summary>
    public string Name { get; }

    /// <summary>The topics it reads.</summary>
    public IReadOnlyList<string> Inputs { get; }

    /// <summary>Where it starts on a partition it never processed.</summary>
    public OffsetReset Start { get; }

    internal IReadOnlyList<StreamStep> Steps { get; }

    /// <summary>Topics it writes (its <c>to</c> steps and a window's late topic), not counting its dead-letter topic.</summary>
    public IReadOnlyList<string> Outputs => [.. Steps.SelectMany(s => s.Outputs).Distinct(StringComparer.Ordinal)];

    /// <summary>Compacted topics it looks records up in.</summary>
    public IReadOnlyList<string> Tables => [.. Steps.OfType<JoinStep>().Select(j => j.Table).Distinct(StringComparer.Ordinal)];

    /// <summary>True when a window keeps its results in the job's results table.</summary>
    public bool KeepsResults => Steps.OfType<WindowStep>().Any(w => w.Setup.KeepResults);

    /// <summary>The window's result fields, when the job has a window (to read its stored state back).</summary>
    internal IReadOnlyList<Aggregation> WindowAggregations => Steps.OfType<WindowStep>().FirstOrDefault()?.Setup.Aggregations ?? [];

    /// <summary>A fresh pipeline for one task (operators hold compiled expressions, one set per task).</summary>
    internal StreamOperator? NewPipeline()
    {
        StreamOperator? head = null, last = null;
        foreach (StreamStep step in Steps)
        {
            StreamOperator op = step.Create();
            if (last is null) head = op;
            else last.Next = op;
            last = op;
        }

        return head;
    }
}

/// <summary>One step of a job, which makes its operator for each task.</summary>
internal abstract record StreamStep
{
    public virtual IEnumerable<string> Outputs => [];

    public abstract StreamOperator Create();
}

internal sealed record FilterStep(Func<Func<StreamRecord, bool>> Make) : StreamStep
{
    public override StreamOperator Create() => new FilterOperator(Make());
}

internal sealed record MapStep(Func<Func<StreamRecord, Newtonsoft.Json.Linq.JToken?>> Make) : StreamStep
{
    public override StreamOperator Create() => new MapOperator(Make());
}

internal sealed record RekeyStep(Func<Func<StreamRecord, Newtonsoft.Json.Linq.JToken?>> Make, string Text) : StreamStep
{
    public override StreamOperator Create() => new RekeyOperator(Make(), Text);
}

internal sealed record ToStep(string Topic) : StreamStep
{
    public override IEnumerable<string> Outputs => [Topic];

    public override StreamOperator Create() => new ToOperator(Topic);
}

internal sealed record JoinStep(string Table, Func<Func<StreamRecord, Newtonsoft.Json.Linq.JToken?>>? MakeOn, string Field, bool Inner) : StreamStep
{
    public override StreamOperator Create() => new JoinOperator(Table, MakeOn?.Invoke(), Field, Inner);
}

internal sealed record WindowStep(Func<WindowSetup> Make, WindowSetup Setup) : StreamStep
{
    public override IEnumerable<string> Outputs => Setup.LateTopic is { } late ? [late] : [];

    public override StreamOperator Create() => new WindowOperator(Make());
}
