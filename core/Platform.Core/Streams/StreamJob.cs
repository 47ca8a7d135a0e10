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

    /// <summary>Which life of the job this is (new when created or reset); <c>code</c> for a job written in C#.</summary>
    public string Epoch { get; private init; } = "code";

    /// <summary>Where its state and results are kept: <c>{name}|{epoch}</c>.</summary>
    public string StateId => $"{Name}|{Epoch}";

    /// <summary>Why a stored job cannot run (its definition no longer passes the checks), or null.</summary>
    public string? Problem { get; private init; }

    /// <summary>The job in one epoch.</summary>
    internal StreamJob InEpoch(string epoch) => new(Name, Inputs, Steps, Start) { Epoch = epoch };

    /// <summary>A stored job that cannot run: listed with its reason, run never, deleted as usual.</summary>
    internal static StreamJob Invalid(string name, string epoch, string problem) => new(name, [], [], OffsetReset.Earliest) { Epoch = epoch, Problem = problem };

    /// <summary>About how many bytes a window's row takes on the wire (a commit of window changes must stay under 4 MiB).</summary>
    internal int EstimatedWindowBytes => 300 + WindowAggregations.Sum(a => a.Kind switch
    {
        AggregationKind.Distinct => 7_400,
        AggregationKind.Percentile => 60_000,
        _ => 80,
    });

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

