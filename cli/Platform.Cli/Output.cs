using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace Platform.Cli;

/// <summary>Human tables (Spectre.Console; colours off when not a terminal or NO_COLOR is set) or JSON for scripts.</summary>
internal sealed class Output(TextWriter writer, bool json)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private readonly IAnsiConsole _console = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(writer),
        ColorSystem = Environment.GetEnvironmentVariable("NO_COLOR") is { Length: > 0 } || Console.IsOutputRedirected || writer != Console.Out
            ? ColorSystemSupport.NoColors
            : ColorSystemSupport.Detect,
        Interactive = InteractionSupport.No,
    });

    public bool Json => json;

    public TextWriter Writer => writer;

    public void Write(JsonNode? node) => writer.WriteLine(node?.ToJsonString(Indented) ?? "null");

    public void Line(string text) => writer.WriteLine(text);

    public void Table(IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<string>> rows)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (string column in columns)
        {
            table.AddColumn(new TableColumn(Markup.Escape(column)));
        }

        foreach (IReadOnlyList<string> row in rows)
        {
            table.AddRow([.. row.Select(cell => new Text(cell))]);
        }

        _console.Write(table);
    }
}
