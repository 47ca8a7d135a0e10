using Azure.Core;
using Azure.Data.Tables;
using Platform.Core.Security;
using Platform.Tests.Fixtures;

namespace Platform.Tests.Security;

/// <summary>Made-up keys cost nothing: malformed ids are refused before any lookup, unknown ones are remembered briefly.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ApiKeyLookupTests(AzuriteFixture azurite)
{

    [Fact]
    public async Task Unknown_and_malformed_key_ids_do_not_reach_the_table_every_time()
    {
        var counting = new CountingPolicy();
        var options = new TableClientOptions();
        options.AddPolicy(counting, HttpPipelinePosition.PerCall);
        var table = new TableClient(azurite.ConnectionString, TestNames.Table(nameof(Unknown_and_malformed_key_ids_do_not_reach_the_table_every_time)), options);
        await table.CreateIfNotExistsAsync();
        var store = new ApiKeyStore(table);
        var service = new ApiKeyService(store, Microsoft.Extensions.Options.Options.Create(new AuthOptions { AdminKey = "an-admin-key-0123456789" }), TimeProvider.System);
        (ApiKeyInfo _, string real) = await service.CreateAsync("real", [new TopicGrant("*", ApiOperation.Consume)], default);
        int before = counting.Requests;

        Assert.Null(await service.AuthenticateAsync("plk_NOT-AN-ID_secret", default));
        Assert.Null(await service.AuthenticateAsync("plk_zzzzzzzzzzzzzzzz_secret", default));
        Assert.Equal(before, counting.Requests); // malformed: no lookup at all

        for (int i = 0; i < 20; i++)
        {
            Assert.Null(await service.AuthenticateAsync("plk_0123456789abcdef_made-up", default));
        }

        Assert.Equal(before + 1, counting.Requests); // unknown: looked up once, then remembered
        Assert.NotNull(await service.AuthenticateAsync(real, default));
    }
}
