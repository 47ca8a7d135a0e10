using System.Globalization;
using System.Text.Json.Nodes;

namespace Platform.Cli;

/// <summary>Prints records as a table (at the end), text lines or JSON lines (as they come).</summary>
internal sealed class RecordPrinter(Output output, string style)
{
    private readonly List<IReadOnlyList<string>> _rows = [];

    /// <summary>False for a table: nothing is shown until <see cref="Finish"/>.</summary>
    public bool PrintsAsItGoes => style != "table";

    public void Print(int partition, JsonNode record)
    {
        record["partition"] = partition;
        switch (style)
        {
            case "jsonl":
                output.Writer.WriteLine(record.ToJsonString());
                break;
            case "text":
                output.Writer.WriteLine($"{partition}:{JsonText.Of(record["offset"])} {JsonText.Of(record["key"])} {record["value"]?.ToJsonString() ?? "null"}");
                break;
            default:
                _rows.Add([partition.ToString(CultureInfo.InvariantCulture), JsonText.Of(record["offset"]), JsonText.Time(record["timestamp"], "yyyy-MM-dd HH:mm:ss.fff"), JsonText.Of(record["key"]), record["value"]?.ToJsonString() ?? "null"]);
                return;
        }

        output.Writer.Flush();
    }

    public void Finish()
    {
        if (style == "table") output.Table(["partition", "offset", "time", "key", "value"], _rows);
    }

}
