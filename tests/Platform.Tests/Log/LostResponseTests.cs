using Azure.Core;
using Platform.Core.Log;
using Platform.Core.Log.Batches;
using Platform.Core.Log.Topics;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Log;

/// <summary>Appends whose responses are lost after the service applied them: never a duplicate, never a gap.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class LostResponseTests(AzuriteFixture azurite)
{
    // PerCall: the failure reaches the engine as an ambiguous exception.
    // PerRetry: the SDK retries the same append, which then fails its append-position condition (412).
    [Theory]
    [InlineData(HttpPipelinePosition.PerCall)]
    [InlineData(HttpPipelinePosition.PerRetry)]
    public async Task Concurrent_writers_with_lost_responses_append_every_record_exactly_once(HttpPipelinePosition position)
    {
        var policy = new LoseAppendResponsesPolicy(probability: 0.3, seed: 7);
        StorageSet stores = await StorageSet.AzureAsync(azurite, $"lost{position}", (policy, position));
        var engines = Enumerable.Range(0, 4).Select(_ => new TestEngine(stores)).ToArray();
        string topic = TestNames.Topic($"lost-{position}");
        await engines[0].Topics.CreateAsync(new TopicConfig { Name = topic, Partitions = 1 }, default);

        var acknowledged = await Task.WhenAll(engines.SelectMany((engine, w) => Enumerable.Range(0, 15).Select(async c =>
        {
            var result = await engine.Producer.ProduceAsync(topic, [Records.Text($"w{w}c{c}a"), Records.Text($"w{w}c{c}b")], default);
            return (Key: $"w{w}c{c}", First: result.Records[0].Offset, Second: result.Records[1].Offset);
        })));

        Assert.True(policy.Lost > 0, "the policy never lost a response: the test would prove nothing");
        List<LogRecord> all = await Records.ReadAllAsync(engines[0].Reader, topic, 0);
        Assert.Equal(Enumerable.Range(0, 120).Select(i => (long)i), all.Select(r => r.Offset));
        Assert.Equal(120, all.Select(r => r.Text()).Distinct().Count());
        var byValue = all.ToDictionary(r => r.Text(), r => r.Offset);
        Assert.All(acknowledged, a => Assert.Equal((byValue[a.Key + "a"], byValue[a.Key + "b"]), (a.First, a.Second)));
        foreach (TestEngine engine in engines)
        {
            await engine.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_idempotent_producer_retrying_after_a_lost_response_gets_the_original_offsets()
    {
        var policy = new LoseAppendResponsesPolicy(probability: 1.0, seed: 1);
        StorageSet lossy = await StorageSet.AzureAsync(azurite, "lostidem", (policy, HttpPipelinePosition.PerCall));
        await using var engine = new TestEngine(lossy, new Platform.Core.Options.LogOptions { IndexIntervalBytes = 0 });
        string topic = TestNames.Topic();
        await engine.Topics.CreateAsync(new TopicConfig { Name = topic, Partitions = 1 }, default);

        // Every response is lost; the writer resolves each one from the tail and still answers.
        var first = await engine.Producer.AppendIdempotentAsync(topic, 0, new ProducerStamp(99, 0, 0), [Records.Text("a"), Records.Text("b")], default);
        var again = await engine.Producer.AppendIdempotentAsync(topic, 0, new ProducerStamp(99, 0, 0), [Records.Text("a"), Records.Text("b")], default);
        Assert.Equal((0L, 1L, false), (first.BaseOffset, first.LastOffset, first.Duplicate));
        Assert.Equal((0L, 1L, true), (again.BaseOffset, again.LastOffset, again.Duplicate));
        Assert.True(policy.Lost >= 1);
        Assert.Equal(["a", "b"], (await Records.ReadAllAsync(engine.Reader, topic, 0)).Select(r => r.Text()));

        // The batch resolved from the tail is indexed like any other.
        await engine.IndexWriter.FlushAsync(default);
        var entry = await lossy.Index.FindByOffsetAsync(new TopicPartition(topic, 0), 0, default);
        Assert.Equal((0L, 1L, 0L), (entry!.BaseOffset, entry.LastOffset, entry.Position));
    }
}
