using Newtonsoft.Json.Linq;

namespace Platform.Core.Streams.Engine;

/// <summary>A window result kept in the job's results table.</summary>
/// <param name="Key">The window's key.</param>
/// <param name="Start">Its start (Unix ms).</param>
/// <param name="Value">The result.</param>
public sealed record WindowResult(string Key, long Start, JObject Value);
