using Platform.Core.Log;
using Platform.Core.Log.Topics;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Log;

/// <summary>A compacted topic refuses records without a key (as Kafka does), whole calls at once, and takes keyed ones.</summary>
public sealed class CompactedTopicTests
{
    [Theory]
    [InlineData(CleanupPolicy.Compact)]
    [InlineData(CleanupPolicy.CompactAndDelete)]
    public async Task Records_without_a_key_are_refused_and_nothing_of_the_call_is_written(CleanupPolicy policy)
    {
        await using var engine = new TestEngine(StorageSet.InMemory());
        await engine.Topics.CreateAsync(new TopicConfig { Name = "changes", Partitions = 2, CleanupPolicy = policy }, default);
        var refused = await Assert.ThrowsAsync<LogException>(() => engine.Producer.ProduceAsync("changes", [Records.Text("a", key: "k1"), Records.Text("b")], default));
        Assert.Equal(LogErrorKind.InvalidRequest, refused.Kind);
        Assert.Contains("needs a key (record 1 has none)", refused.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<LogException>(() => engine.Producer.ProduceIdempotentAsync("changes", [Records.Text("c")], "request-1", "scope", default));
        Assert.Equal(0, (await engine.Reader.GetOffsetsAsync("changes", 0, default)).Latest + (await engine.Reader.GetOffsetsAsync("changes", 1, default)).Latest);

        var taken = await engine.Producer.ProduceAsync("changes", [Records.Text("a", key: "k1"), Records.Text("b", key: "")], default);
        Assert.Equal(2, taken.Records.Count);
    }
}
