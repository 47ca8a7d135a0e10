using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Platform.Core.Options;

namespace Platform.Core.Consumers.Elasticsearch;

/// <summary>Registers the Elasticsearch router; it runs when <c>Platform:Elasticsearch:Url</c> is set.</summary>
public static class ElasticsearchServiceCollectionExtensions
{
    /// <summary>Binds <c>Platform:Elasticsearch</c> (validated at start) and adds the router as a job that is on when a URL is set.</summary>
    public static IServiceCollection AddElasticsearchRouter(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<ElasticsearchOptions, ElasticsearchOptionsValidator>(configuration, ElasticsearchOptions.SectionName);
        services.TryAddSingleton<IBulkIndexer>(sp => new ElasticsearchBulkIndexer(ElasticsearchBulkIndexer.CreateClient(sp.GetRequiredService<IOptions<ElasticsearchOptions>>().Value)));
        services.TryAddSingleton<ElasticsearchRouter>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConsumerJob, ElasticsearchJob>());
        return services;
    }

    /// <summary>The router as a job of group <c>Group</c> on <c>Topic</c>; off without a URL. It pauses rather than dead-letter a sink that is overloaded.</summary>
    private sealed class ElasticsearchJob(IOptions<ElasticsearchOptions> options, IServiceProvider services) : IConsumerJob
    {
        public ConsumerRegistration? Registration => options.Value.Enabled
            ? new ConsumerRegistration(options.Value.Group, options.Value.Topic, services.GetRequiredService<ElasticsearchRouter>(), OffsetReset.Earliest, DeadLetterRetriable: false)
            : null;
    }
}
