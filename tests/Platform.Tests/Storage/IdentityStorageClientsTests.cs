using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Platform.Core.Options;
using Platform.Core.Storage.Azure;
using Platform.Functions;

namespace Platform.Tests.Storage;

/// <summary>Without a connection string the platform reaches storage with an identity: which client, which URI, which credential.</summary>
public sealed class IdentityStorageClientsTests
{
    [Fact]
    public void An_account_name_gives_the_public_cloud_endpoints_and_a_user_assigned_identity_its_client_id()
    {
        var options = new StorageOptions { AccountName = "platformdata", ManagedIdentityClientId = "11111111-2222-3333-4444-555555555555" };
        Assert.Equal(new Uri("https://platformdata.blob.core.windows.net/"), StorageClients.Blobs(options).Uri);
        Assert.Equal(new Uri("https://platformdata.table.core.windows.net/"), StorageClients.Tables(options).Uri);
        Assert.Equal(new Uri("https://platformdata.queue.core.windows.net/wakeups"), StorageClients.Queue(options, "wakeups").Uri);
        Assert.IsType<ManagedIdentityCredential>(StorageClients.Credential(options));
        Assert.IsType<DefaultAzureCredential>(StorageClients.Credential(new StorageOptions { AccountName = "platformdata" }));
    }

    [Fact]
    public void Service_uris_win_over_the_account_name_and_without_a_client_id_the_default_credential_is_used()
    {
        var options = new StorageOptions { AccountName = "ignored", BlobServiceUri = new Uri("https://data.blob.core.usgovcloudapi.net"), TableServiceUri = new Uri("https://data.table.core.usgovcloudapi.net"), QueueServiceUri = new Uri("https://data.queue.core.usgovcloudapi.net") };
        Assert.Equal("data.blob.core.usgovcloudapi.net", StorageClients.Blobs(options).Uri.Host);
        Assert.Equal("data.table.core.usgovcloudapi.net", StorageClients.Tables(options).Uri.Host);
        Assert.Equal("data.queue.core.usgovcloudapi.net", StorageClients.Queue(options, "q").Uri.Host);
        Assert.IsType<DefaultAzureCredential>(StorageClients.Credential(options));
        Assert.True(new StorageOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Nothing_configured_is_refused_at_start_with_what_to_set()
    {
        var result = new StorageOptionsValidator().Validate(null, new StorageOptions());
        Assert.True(result.Failed);
        Assert.Contains("AccountName", result.FailureMessage, StringComparison.Ordinal);
        Assert.True(new StorageOptionsValidator().Validate(null, new StorageOptions { BlobServiceUri = new Uri("ftp://x") , AccountName = "a" }).Failed);
    }

    [Fact]
    public void On_azure_the_hosts_identity_based_storage_settings_are_the_default()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage:accountName"] = "hoststorage",
            ["AzureWebJobsStorage:credential"] = "managedidentity",
            ["AzureWebJobsStorage:clientId"] = "aaaa",
        }).Build();
        var options = new StorageOptions();
        HostStorageDefaults.Apply(options, configuration);
        Assert.Equal(("hoststorage", "aaaa", false), (options.AccountName, options.ManagedIdentityClientId, options.UsesConnectionString));

        // A platform account of its own (the Bicep stack's Platform__Storage__AccountName) is kept.
        var own = new StorageOptions { AccountName = "platformdata" };
        HostStorageDefaults.Apply(own, configuration);
        Assert.Equal("platformdata", own.AccountName);

        // A host connection string (as locally) is used as is.
        var local = new StorageOptions();
        HostStorageDefaults.Apply(local, new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" }).Build());
        Assert.Equal("UseDevelopmentStorage=true", local.ConnectionString);
    }
}
