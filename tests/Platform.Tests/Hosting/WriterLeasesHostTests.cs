using System.Net.Http.Json;
using System.Text.Json;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Hosting;

/// <summary>Two hosts over one storage account: keyless records from each land in partitions the other does not write.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class WriterLeasesHostTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Two_hosts_write_keyless_records_to_disjoint_partitions()
    {
        string id = Guid.NewGuid().ToString("N")[..8];
        (string, string)[] shared = [("Platform:Storage:LogContainer", $"leases-{id}"), ("Platform:Storage:TablePrefix", $"l{id}")];
        await using LocalHost first = await LocalHost.StartAsync(azurite, "writer-leases-hosts", shared);
        await using LocalHost second = await LocalHost.StartAsync(azurite, "writer-leases-hosts", shared);
        (await first.Client.PostAsJsonAsync("/api/topics", new { name = "spread", partitions = 4 })).EnsureSuccessStatusCode();
        await ProduceAsync(first);
        await ProduceAsync(second);
        await Task.Delay(TimeSpan.FromSeconds(3));

        var byFirst = new HashSet<int>();
        var bySecond = new HashSet<int>();
        for (int i = 0; i < 30; i++)
        {
            byFirst.Add(await ProduceAsync(first));
            bySecond.Add(await ProduceAsync(second));
        }

        var store = new Platform.Core.Storage.Azure.AzureOwnershipStore(new Azure.Data.Tables.TableClient(azurite.ConnectionString, $"l{id}{Platform.Core.Storage.StorageNames.OwnershipTable}"));
        var snapshot = await store.ListAsync(Platform.Core.Log.Partitioning.WriterLeases.Group, "spread", default);
        string claims = string.Join("; ", snapshot.Claims.Select(c => $"{c.Partition}:{c.Owner[..4]}:{c.IsLive(snapshot.StorageNow)}")) + " members " + string.Join(",", snapshot.LiveMembers.Select(m => m[..4]));
        Assert.True(!byFirst.Intersect(bySecond).Any(), $"first wrote {string.Join(",", byFirst)}, second {string.Join(",", bySecond)}; claims {claims}");
        Assert.Equal(4, byFirst.Count + bySecond.Count);
    }

    // One keyless record past a stick's worth of bytes, so that every call may move to another partition.
    private static async Task<int> ProduceAsync(LocalHost host)
    {
        using var body = new ByteArrayContent(new byte[300_000]);
        body.Headers.ContentType = new("application/octet-stream");
        using HttpResponseMessage response = await host.Client.PostAsync("/api/topics/spread/records", body);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("records")[0].GetProperty("partition").GetInt32();
    }
}
