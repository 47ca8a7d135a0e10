using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Platform.Core.Log;
using Platform.Core.Log.Partitioning;
using Platform.Core.Log.Topics;
using Platform.Core.Storage;
using Platform.Core.Streams.Engine;

namespace Platform.Core.Streams.Running;

/// <summary>
/// A join's table: the keyed view of a compacted topic, read on the partition the key hashes to (as a producer places
/// it). The view lags its topic by up to the <c>MaintainKeyedViews</c> schedule (5 s): a record joins the value the view
/// has when the record is processed. A value that is not JSON is joined as a string.
/// </summary>
internal sealed class KeyedViewLookup(TopicManager topics, IKeyedViewStore views) : ITableLookup
{
    public async ValueTask<JToken?> LookupAsync(string table, string key, CancellationToken cancellationToken)
    {
        TopicConfig config = await topics.GetAsync(table, cancellationToken).ConfigureAwait(false);
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(key);
        var partition = new TopicPartition(table, Murmur2.Partition(bytes, config.Partitions));
        if (await views.GetAsync(partition, bytes, cancellationToken).ConfigureAwait(false) is not { Value: { } value }) return null;
        string text = System.Text.Encoding.UTF8.GetString(value);
        try
        {
            return StreamJson.Parse(text);
        }
        catch (JsonException)
        {
            return new JValue(text);
        }
    }
}
