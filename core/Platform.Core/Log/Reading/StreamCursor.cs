using System.Globalization;
using System.Text;

namespace Platform.Core.Log.Reading;

/// <summary>
/// Where a stream of a topic stands: the next offset of each partition it follows, written <c>0:13,1:40</c> — the id
/// of every server-sent event, so a client that reconnects with <c>Last-Event-ID</c> resumes every partition exactly.
/// </summary>
public sealed class StreamCursor
{
    private readonly SortedDictionary<int, long> _next;

    /// <summary>A cursor at the given next offsets.</summary>
    public StreamCursor(IReadOnlyDictionary<int, long> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        _next = new SortedDictionary<int, long>(next.ToDictionary(p => p.Key, p => p.Value));
    }

    /// <summary>The partitions followed and their next offsets.</summary>
    public IReadOnlyDictionary<int, long> Next => _next;

    /// <summary>Moves a partition on past <paramref name="offset"/>.</summary>
    public void Advance(int partition, long offset) => _next[partition] = offset + 1;

    /// <summary>Moves a partition to <paramref name="next"/> (after retention, the earliest kept offset).</summary>
    public void MoveTo(int partition, long next) => _next[partition] = next;

    /// <inheritdoc />
    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var (partition, next) in _next)
        {
            if (text.Length > 0) text.Append(',');
            text.Append(CultureInfo.InvariantCulture, $"{partition}:{next}");
        }
        return text.ToString();
    }

    /// <summary>Parses <c>p:offset,…</c>; the error says what is wrong, for a 400.</summary>
    public static (StreamCursor? Cursor, string? Error) Parse(string text, int partitions)
    {
        ArgumentNullException.ThrowIfNull(text);
        var next = new Dictionary<int, long>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pair = part.Split(':');
            if (pair.Length != 2 || !int.TryParse(pair[0], NumberStyles.None, CultureInfo.InvariantCulture, out var partition)
                || !long.TryParse(pair[1], NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            {
                return (null, $"'{part}' is not partition:offset");
            }
            if (partition >= partitions) return (null, $"partition {partition} does not exist (the topic has {partitions})");
            if (!next.TryAdd(partition, offset)) return (null, $"partition {partition} is named twice");
        }
        return next.Count == 0 ? (null, "it names no partition") : (new StreamCursor(next), null);
    }
}
