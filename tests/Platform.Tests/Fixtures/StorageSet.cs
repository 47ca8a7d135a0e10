using Platform.Core.Storage;
using Platform.Core.Storage.Azure;
using Platform.Core.Storage.InMemory;

namespace Platform.Tests.Fixtures;

/// <summary>The three storage seams, from one implementation.</summary>
public sealed record StorageSet(ISegmentStore Segments, IOffsetIndex Index, ITopicStore Topics)
{
    public static StorageSet InMemory() => new(new InMemorySegmentStore(), new InMemoryOffsetIndex(), new InMemoryTopicStore());

    public static async Task<StorageSet> AzureAsync(AzuriteFixture azurite, string testName, params (Azure.Core.Pipeline.HttpPipelinePolicy, Azure.Core.HttpPipelinePosition)[] blobPolicies)
    {
        var container = await azurite.NewContainerAsync(testName, blobPolicies);
        var offsets = await azurite.NewTableAsync(testName + "o");
        var times = await azurite.NewTableAsync(testName + "t");
        var topics = await azurite.NewTableAsync(testName + "p");
        return new StorageSet(new AzureSegmentStore(container), new AzureOffsetIndex(offsets, times), new AzureTopicStore(topics));
    }
}
