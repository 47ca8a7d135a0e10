using System.Text;
using Platform.Core.Ingestion.Http;
using Platform.Core.Log;

namespace Platform.Tests.Ingestion;

/// <summary>
/// A record without a key is keyless (null), never the empty key: the partitioner spreads keyless records, and hashes
/// every empty key to one partition. A JSON null value is a tombstone, and a null header value null, never empty.
/// </summary>
public sealed class KeylessRecordsTests
{
    [Fact]
    public void A_raw_record_without_a_key_is_keyless_and_an_empty_key_is_kept()
    {
        Assert.Null(RecordsBody.Parse("application/octet-stream", "v"u8.ToArray(), null, null, 10)[0].Key);
        Assert.Equal(0, RecordsBody.Parse("application/octet-stream", "v"u8.ToArray(), string.Empty, null, 10)[0].Key?.Length);
    }

    [Fact]
    public void A_json_record_without_a_key_is_keyless_and_a_null_value_is_a_tombstone()
    {
        ProduceRecord record = RecordsBody.Parse("application/json", Encoding.UTF8.GetBytes("""{"value":null}"""), null, null, 10)[0];
        Assert.Null(record.Key);
        Assert.Null(record.Value);
        Assert.Null(RecordsBody.Parse("application/json", Encoding.UTF8.GetBytes("""{"value":"v","headers":{"h":null}}"""), null, null, 10)[0].Headers[0].Value);
        Assert.Null(RecordsBody.Parse("application/x-ndjson", Encoding.UTF8.GetBytes("""{"value":"v"}"""), null, null, 10)[0].Key);
    }
}
