using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Platform.Core;
using Platform.Core.Options;

namespace Platform.Tests.Options;

public sealed class OptionsValidationTests
{
    [Fact]
    public void Defaults_are_valid()
    {
        Assert.True(new LogOptionsValidator().Validate(null, new LogOptions()).Succeeded);
        Assert.True(new StorageOptionsValidator().Validate(null, new StorageOptions { ConnectionString = "UseDevelopmentStorage=true" }).Succeeded);
    }

    [Fact]
    public void Relationships_between_settings_are_checked()
    {
        var result = new LogOptionsValidator().Validate(null, new LogOptions { SegmentBytes = 1024 * 1024, MaxBatchBytes = 4 * 1024 * 1024, SegmentMaxBlocks = 50_000 });
        Assert.True(result.Failed);
        Assert.Contains("SegmentBytes (1048576) must be at least MaxBatchBytes", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("SegmentMaxBlocks must be between 1 and 49999", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Platform:Storage:LogContainer", "Bad_Container", "LogContainer 'Bad_Container'")]
    [InlineData("Platform:Storage:TablePrefix", "9bad", "TablePrefix '9bad'")]
    [InlineData("Platform:Storage:TryTimeout", "00:00:00.100", "TryTimeout '00:00:00.1000000' must be between 00:00:01 and 00:10:00")]
    [InlineData("Platform:Storage:MaxRetries", "11", "MaxRetries 11 must be between 0 and 10")]
    [InlineData("Platform:Log:MaxBatchBytes", "10", "MaxBatchBytes must be between 1 KiB and 4 MiB")]
    [InlineData("Platform:Log:MaxBatchBytes", "8388608", "MaxBatchBytes must be between 1 KiB and 4 MiB")]
    [InlineData("Platform:Log:ProducerIdExpiration", "00:00:05", "ProducerIdExpiration must be between 1 minute and 365 days")]
    [InlineData("Platform:Log:MaxProducersPerPartition", "3", "MaxProducersPerPartition must be between 100 and 10,000,000")]
    [InlineData("Platform:Log:Linger", "00:00:05", "Linger must be between 0 and 1 s")]
    [InlineData("Platform:Log:IndexWriteDelay", "00:02:00", "Platform:Log:IndexWriteDelay must be between 0 and 1 minute")]
    [InlineData("Platform:Auth:AdminKey", "@Microsoft.KeyVault(SecretUri=https://v.vault.azure.net/secrets/admin)", "Platform:Auth:AdminKey is a Key Vault reference the host did not resolve")]
    [InlineData("Platform:Auth:AdminKey", "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789", "could never be used")]
    [InlineData("Platform:Ingest:MaxRequestBytes", "209715200", "Platform:Ingest:MaxRequestBytes must be between 1 KiB and 100 MB")]
    [InlineData("Platform:Ingest:MaxConsumeWait", "00:03:40", "Platform:Ingest:MaxConsumeWait must be between 0 and 200 s")]
    [InlineData("Platform:Consumers:ClaimDuration", "00:00:00.010", "Platform:Consumers:ClaimDuration must be between 100 ms and 10 minutes")]
    [InlineData("Platform:Consumers:FetchMaxBytes", "0", "Platform:Consumers:FetchMaxBytes must be between 1 byte and 64 MiB")]
    [InlineData("Platform:Consumers:FetchMaxRecords", "0", "Platform:Consumers:FetchMaxRecords must be between 1 and 100,000")]
    [InlineData("Platform:Consumers:HandlerAttempts", "0", "Platform:Consumers:HandlerAttempts must be between 1 and 20")]
    [InlineData("Platform:Consumers:RetryBackoff", "00:02:00", "Platform:Consumers:RetryBackoff doubled over HandlerAttempts waits 00:06:00 in all, which must fit inside MaxRunTime")]
    [InlineData("Platform:Consumers:WakeupQueue", "Wake_Ups", "Platform:Consumers:WakeupQueue 'Wake_Ups' is not a storage queue name")]
    [InlineData("Platform:Consumers:SweepSchedule", "every ten seconds", "Platform:Consumers:SweepSchedule 'every ten seconds' must be a CRON expression")]
    [InlineData("Platform:Elasticsearch:Url", "@Microsoft.KeyVault(SecretUri=https://v.vault.azure.net/secrets/es)", "Platform:Elasticsearch:Url must be an absolute http or https URL")]
    [InlineData("Platform:Elasticsearch:Url", "elastic:9200", "Platform:Elasticsearch:Url must be an absolute http or https URL")]
    [InlineData("Platform:Elasticsearch:ItemAttempts", "0", "Platform:Elasticsearch:ItemAttempts must be between 1 and 20", "Platform:Elasticsearch:Url", "http://es:9200")]
    [InlineData("Platform:Elasticsearch:Namespace", "Prod-EU", "Platform:Elasticsearch:Namespace 'Prod-EU' must be 1 to 100 lower-case characters", "Platform:Elasticsearch:Url", "http://es:9200")]
    [InlineData("Platform:Elasticsearch:Topic", "Bad Topic", "Platform:Elasticsearch:Topic:", "Platform:Elasticsearch:Url", "http://es:9200")]
    [InlineData("Platform:Elasticsearch:Routes:0:Attribute", "event.category", "Platform:Elasticsearch:Routes:0 must name an Index or a Topic", "Platform:Elasticsearch:Url", "http://es:9200")]
    [InlineData("Platform:Metrics:Group", "$metrics", "Platform:Metrics:Group:")]
    [InlineData("Platform:Metrics:LateSampleGrace", "30.00:00:00", "Platform:Metrics:LateSampleGrace must be more than 0 and at most 7 days")]
    [InlineData("Platform:Metrics:MaxSeriesPerMetric", "0", "Platform:Metrics:MaxSeriesPerMetric must be between 1 and 1,000,000")]
    [InlineData("Platform:Metrics:WriteConcurrency", "1000", "Platform:Metrics:WriteConcurrency must be between 1 and 256")]
    [InlineData("Platform:Metrics:QueryTimeout", "00:00:00", "Platform:Metrics:QueryTimeout must be more than 0")]
    public void A_bad_setting_stops_start_up_with_a_message_naming_it(string key, string value, string expected, string? otherKey = null, string? otherValue = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Platform:Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            [key] = value,
        };
        if (otherKey is not null)
        {
            settings[otherKey] = otherValue;
        }

        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using ServiceProvider services = new ServiceCollection().AddLogging().AddPlatform(configuration).BuildServiceProvider();

        // What the host runs at start for every options class registered with ValidateOnStart.
        var ex = Assert.ThrowsAny<Exception>(() => services.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains(expected, ex is AggregateException agg ? string.Join(" | ", agg.InnerExceptions.Select(e => e.Message)) : ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_defaults_of_every_options_class_start()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Platform:Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["Platform:Auth:AdminKey"] = "a-local-admin-key-1234",
        }).Build();
        using ServiceProvider services = new ServiceCollection().AddLogging().AddPlatform(configuration).BuildServiceProvider();
        services.GetRequiredService<IStartupValidator>().Validate();
        // The router is off without a URL; the metrics jobs are on by default.
        Assert.Equal(["metrics", "metrics-logs", "metrics-traces"], services.GetRequiredService<Platform.Core.Consumers.ConsumerRegistry>().All.Select(r => r.Group).Order(StringComparer.Ordinal));
        Assert.True(new Platform.Core.Consumers.ConsumerOptionsValidator().Validate(null, new Platform.Core.Consumers.ConsumerOptions { SweepSchedule = "00:00:10" }).Succeeded); // a TimeSpan off Flex
        Assert.True(new Platform.Core.Consumers.Elasticsearch.ElasticsearchOptionsValidator().Validate(null, new Platform.Core.Consumers.Elasticsearch.ElasticsearchOptions { Namespace = "Bad-But-Off" }).Succeeded); // off: not checked
    }

    [Fact]
    public void Outside_the_local_host_start_up_fails_without_an_admin_key_and_names_the_setting()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Platform:Storage:ConnectionString"] = "UseDevelopmentStorage=true",
        }).Build();
        using ServiceProvider services = new ServiceCollection().AddLogging().AddPlatform(configuration).BuildServiceProvider();
        var ex = Assert.ThrowsAny<Exception>(() => services.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("Platform:Auth:AdminKey is required", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Key Vault reference", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_connection_string_is_named()
    {
        var result = new StorageOptionsValidator().Validate(null, new StorageOptions());
        Assert.Contains("Platform:Storage: set ConnectionString, or AccountName", result.FailureMessage, StringComparison.Ordinal);
    }
}
