using Platform.Core.Streams.Engine;

namespace Platform.Core.Streams;

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

internal sealed record MetricsStep(string Topic, string Name, string Label) : StreamStep
{
    public override IEnumerable<string> Outputs => [Topic];

    public override StreamOperator Create() => new MetricsOperator(Topic, Name, Label);
}
