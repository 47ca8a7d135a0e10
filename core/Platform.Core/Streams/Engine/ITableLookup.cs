using Newtonsoft.Json.Linq;

namespace Platform.Core.Streams.Engine;

/// <summary>Looks a key up in a compacted topic's keyed view (a join's table).</summary>
public interface ITableLookup
{
    /// <summary>The key's latest value in <paramref name="table"/>, or null.</summary>
    ValueTask<JToken?> LookupAsync(string table, string key, CancellationToken cancellationToken);
}
