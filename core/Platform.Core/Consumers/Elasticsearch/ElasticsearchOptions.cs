namespace Platform.Core.Consumers.Elasticsearch;

/// <summary>A routing rule: log records whose attribute matches go to another index and/or another topic.</summary>
public sealed class ElasticsearchRoute
{
    /// <summary>Attribute (log record or resource) to look at, e.g. <c>event.category</c>.</summary>
    public string Attribute { get; set; } = string.Empty;

    /// <summary>The value that matches.</summary>
    public string Value { get; set; } = string.Empty;

    /// <summary>Index or data stream instead of <c>logs-{dataset}-{namespace}</c>; null keeps the default.</summary>
    public string? Index { get; set; }

    /// <summary>A topic that also gets the record (for example a security topic).</summary>
    public string? Topic { get; set; }
}

/// <summary>The Elasticsearch router, bound from <c>Platform:Elasticsearch</c>; enabled when <see cref="Url"/> is set.</summary>
public sealed class ElasticsearchOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Platform:Elasticsearch";

    /// <summary>Elasticsearch URL, absolute http or https; the router is off without one. Keep it a plain app setting (the secret is the API key).</summary>
    public string? Url { get; set; }

    /// <summary>True when a URL is set: the router runs.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Url);

    /// <summary>API key (base64 "id:key" as Elasticsearch issues it); on Azure, a Key Vault reference in the app settings.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Topic the router reads. Default <c>otlp.logs</c>.</summary>
    public string Topic { get; set; } = "otlp.logs";

    /// <summary>Consumer group of the router. Default <c>elasticsearch</c>.</summary>
    public string Group { get; set; } = "elasticsearch";

    /// <summary>Data stream namespace. Default <c>default</c>.</summary>
    public string Namespace { get; set; } = "default";

    /// <summary>Dataset of every document, unless <see cref="DatasetFromAttributes"/> lets a record name its own. Default <c>generic</c>.</summary>
    public string DefaultDataset { get; set; } = "generic";

    /// <summary>
    /// When true, a record's <c>data_stream.dataset</c> (or <c>event.dataset</c>) attribute chooses its data stream,
    /// <c>logs-{dataset}-{namespace}</c>. Off by default: whoever may produce OTLP logs would otherwise choose which
    /// data stream (and so which index privileges and retention) their documents land in. Routes choose indices too.
    /// </summary>
    public bool DatasetFromAttributes { get; set; }

    /// <summary>Attempts of a bulk item refused with 429 or 5xx before the record is handed back for a later retry. Default 5.</summary>
    public int ItemAttempts { get; set; } = 5;

    /// <summary>First back-off of those attempts, doubled each time. Default 200 ms.</summary>
    public TimeSpan ItemBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Routing rules, first match wins.</summary>
    public IList<ElasticsearchRoute> Routes { get; } = [];
}
