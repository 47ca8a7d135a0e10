using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Platform.Local.Azurite;

namespace Platform.Tests.Fixtures;

/// <summary>One Azurite per test collection, on free loopback ports, in memory.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteServer? _server;

    public string ConnectionString => (_server ?? throw new InvalidOperationException("Azurite is not started.")).ConnectionString;

    /// <summary>A second storage account in the same Azurite.</summary>
    public string SecondConnectionString => (_server ?? throw new InvalidOperationException("Azurite is not started.")).SecondConnectionString;

    public async Task InitializeAsync() => _server = await AzuriteServer.StartAsync(CancellationToken.None);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>A fresh container with a unique name, created; optional extra pipeline policies.</summary>
    public async Task<BlobContainerClient> NewContainerAsync(string testName, params (HttpPipelinePolicy Policy, Azure.Core.HttpPipelinePosition Position)[] policies)
    {
        var options = new BlobClientOptions();
        foreach (var (policy, position) in policies)
        {
            options.AddPolicy(policy, position);
        }

        var container = new BlobServiceClient(ConnectionString, options).GetBlobContainerClient(TestNames.Container(testName));
        await container.CreateIfNotExistsAsync();
        return container;
    }

    /// <summary>A fresh table with a unique name, created.</summary>
    public async Task<TableClient> NewTableAsync(string testName)
    {
        var table = new TableServiceClient(ConnectionString).GetTableClient(TestNames.Table(testName));
        await table.CreateIfNotExistsAsync();
        return table;
    }
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
