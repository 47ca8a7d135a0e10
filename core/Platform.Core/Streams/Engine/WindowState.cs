using Newtonsoft.Json.Linq;

namespace Platform.Core.Streams.Engine;

/// <summary>One window of one key: its bounds and the state of each result field.</summary>
public sealed class WindowState(string key, long start, long end, AggregationState[] fields)
{
    /// <summary>The key.</summary>
    public string Key { get; } = key;

    /// <summary>Start, Unix ms (inclusive).</summary>
    public long Start { get; set; } = start;

    /// <summary>End, Unix ms (exclusive); a session's is its last record's time plus the gap.</summary>
    public long End { get; set; } = end;

    /// <summary>Each result field's state, in the order of the window's aggregations.</summary>
    public AggregationState[] Fields { get; } = fields;

    /// <summary>The result record's value.</summary>
    public JObject Result(IReadOnlyList<Aggregation> aggregations, bool final)
    {
        ArgumentNullException.ThrowIfNull(aggregations);
        var value = new JObject { ["key"] = Key, ["start"] = Start, ["end"] = End };
        for (int i = 0; i < aggregations.Count; i++)
        {
            value[aggregations[i].Name] = Fields[i].Result();
        }

        value["final"] = final;
        return value;
    }

    /// <summary>The state as kept in the job's state table.</summary>
    public string Save() => new JObject { ["k"] = Key, ["s"] = Start, ["e"] = End, ["f"] = new JArray(Fields.Select(f => f.Save())) }.ToString(Newtonsoft.Json.Formatting.None);

    /// <summary>A state saved by <see cref="Save"/>.</summary>
    public static WindowState Load(string saved, IReadOnlyList<Aggregation> aggregations)
    {
        ArgumentNullException.ThrowIfNull(aggregations);
        JObject o = JObject.Parse(saved);
        var fields = (JArray)o["f"]!;
        return new WindowState(o.Value<string>("k")!, o.Value<long>("s"), o.Value<long>("e"), [.. aggregations.Select((a, i) => a.Load(fields[i]))]);
    }
}
