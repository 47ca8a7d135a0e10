using Microsoft.AspNetCore.Http;
using Platform.Core.Log;
using Platform.Core.Log.Topics;
using Platform.Core.Options;
using Platform.Functions.Http;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Log.Appending;

public sealed class BackPressureTests
{
    [Fact]
    public async Task A_full_partition_queue_refuses_with_busy_and_appends_only_what_it_acknowledged()
    {
        StorageSet memory = StorageSet.InMemory();
        var stores = memory with { Segments = new SlowSegmentStore(memory.Segments, TimeSpan.FromMilliseconds(300)) };
        await using var engine = new TestEngine(stores, new LogOptions { MaxBatchBytes = 4096, MaxPendingBytesPerPartition = 8192 });
        await engine.Topics.CreateAsync(new TopicConfig { Name = "busy", Partitions = 1 }, default);

        var calls = Enumerable.Range(0, 20).Select(i => engine.Producer.ProduceAsync("busy", [Records.Text(new string('x', 1500) + i)], default)).ToArray();
        var outcomes = await Task.WhenAll(calls.Select(async c =>
        {
            try
            {
                return (Offset: (await c).Records[0].Offset, Error: (LogException?)null);
            }
            catch (LogException ex)
            {
                return (Offset: -1L, Error: ex);
            }
        }));

        var refused = outcomes.Where(o => o.Error is not null).ToList();
        Assert.NotEmpty(refused);
        Assert.All(refused, o => Assert.Equal(LogErrorKind.Busy, o.Error!.Kind));
        HttpFailure failure = HttpFailure.Classify(refused[0].Error!)!;
        Assert.Equal((StatusCodes.Status429TooManyRequests, TimeSpan.FromSeconds(1)), (failure.Status, failure.RetryAfter!.Value));

        int acknowledged = outcomes.Count(o => o.Error is null);
        Assert.Equal(acknowledged, (await Records.ReadAllAsync(engine.Reader, "busy", 0)).Count);
    }
}
