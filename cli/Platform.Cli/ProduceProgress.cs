using System.Globalization;
using Spectre.Console;

namespace Platform.Cli;

/// <summary>
/// The live display of a produce run on standard error (Spectre.Console's progress, redrawn ten times a second on its
/// own thread, so the producing loop only bumps counters): how far through the input, records/s, MB/s, retries.
/// </summary>
internal static class ProduceProgress
{
    public static async Task<ProduceSummary> RunAsync(TextWriter stderr, string source, long? totalBytes, Func<long>? position, BatchProducer producer, Func<Action, Task<ProduceSummary>> run)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stderr),
            Ansi = AnsiSupport.Yes,
            ColorSystem = Environment.GetEnvironmentVariable("NO_COLOR") is { Length: > 0 } ? ColorSystemSupport.NoColors : ColorSystemSupport.Standard,
            Interactive = InteractionSupport.Yes,
        });
        DateTime started = DateTime.UtcNow;
        ProduceSummary? summary = null;
        await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                ProgressTask task = progress.AddTask(Markup.Escape(source), maxValue: totalBytes is > 0 ? totalBytes.Value : 1);
                task.IsIndeterminate = totalBytes is not > 0;
                void Update()
                {
                    double seconds = Math.Max((DateTime.UtcNow - started).TotalSeconds, 1e-3);
                    task.Description = string.Create(CultureInfo.InvariantCulture,
                        $"{Markup.Escape(source)}: {producer.Records:N0} records, {producer.Records / seconds:N0}/s, {producer.Bytes / 1e6 / seconds:F1} MB/s, {producer.Retried} retried");
                    if (position is not null) task.Value = position();
                }

                summary = await run(Update);
                Update();
                task.Value = task.MaxValue;
                task.StopTask();
            });
        return summary!;
    }
}
