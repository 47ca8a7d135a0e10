using System.Text;
using Platform.Core.Log;
using Platform.Core.Log.Reading;

namespace Platform.Tests.Fixtures;

public static class Records
{
    public static ProduceRecord Text(string value, string? key = null, int? partition = null, long? timestamp = null) => new()
    {
        Key = ProduceRecord.Bytes(key is null ? null : Encoding.UTF8.GetBytes(key)),
        Value = Encoding.UTF8.GetBytes(value),
        Partition = partition,
        Timestamp = timestamp,
    };

    public static string Text(this LogRecord record) => record.Value is { } v ? Encoding.UTF8.GetString(v.Span) : "<null>";

    /// <summary>Every record of a partition, from 0 to the end, in small fetches.</summary>
    public static async Task<List<LogRecord>> ReadAllAsync(LogReader reader, string topic, int partition, int maxBytes = 64 * 1024)
    {
        var all = new List<LogRecord>();
        long offset = 0;
        while (true)
        {
            FetchResult fetch = await reader.FetchAsync(topic, partition, offset, maxBytes, 10_000, CancellationToken.None);
            all.AddRange(fetch.Records);
            // A compacted stretch may give no records yet move the offset on.
            if ((fetch.Records.Count == 0 && fetch.NextOffset <= offset) || fetch.NextOffset >= fetch.LogEndOffset)
            {
                return all;
            }

            offset = fetch.NextOffset;
        }
    }
}
