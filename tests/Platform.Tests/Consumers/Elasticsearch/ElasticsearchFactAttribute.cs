namespace Platform.Tests.Consumers.Elasticsearch;

/// <summary>A fact that runs only when PLATFORM_TEST_ELASTICSEARCH_URL names a real Elasticsearch.</summary>
public sealed class ElasticsearchFactAttribute : FactAttribute
{
    public const string UrlVariable = "PLATFORM_TEST_ELASTICSEARCH_URL";
    public const string ApiKeyVariable = "PLATFORM_TEST_ELASTICSEARCH_API_KEY";

    public ElasticsearchFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(UrlVariable)))
        {
            Skip = $"Set {UrlVariable} (and {ApiKeyVariable} if needed) to run against a real Elasticsearch.";
        }
    }
}
