using Newtonsoft.Json.Linq;

namespace Platform.Core.Streams.Engine;

/// <summary>
/// A record as a job's steps see it: key (text), value (JSON, as JMESPath evaluates it) and timestamp (Unix ms), and
/// where it came from. Steps return new records; one is never changed after it was handed on.
/// </summary>
/// <param name="Key">The key, or null.</param>
/// <param name="Value">The JSON value (null for a null value).</param>
/// <param name="Timestamp">Unix ms: the input record's timestamp, or a window's end.</param>
public sealed record StreamRecord(string? Key, JToken? Value, long Timestamp)
{
    /// <summary>The input topic.</summary>
    public string Topic { get; init; } = "";

    /// <summary>The input partition.</summary>
    public int Partition { get; init; }

    /// <summary>The input offset (for a window result: of the record that closed it).</summary>
    public long Offset { get; init; }
}
