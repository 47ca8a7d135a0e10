namespace Platform.Core.Options;

/// <summary>Where the platform keeps its state, bound from <c>Platform:Storage</c>.</summary>
public sealed class StorageOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Platform:Storage";

    /// <summary>Azure Storage connection string (Azurite's in local runs).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Container of segment blobs. Default <c>log</c>.</summary>
    public string LogContainer { get; set; } = Storage.StorageNames.DefaultLogContainer;

    /// <summary>Prefix of every table name (letters and digits), so several platforms can share an account. Default none.</summary>
    public string TablePrefix { get; set; } = string.Empty;

    /// <summary>
    /// Longest wait for one storage request (one try) before it is abandoned and retried. Default 30 s, like Kafka's
    /// request.timeout.ms. An abandoned append is ambiguous; the writer resolves it by reading the partition's tail.
    /// </summary>
    public TimeSpan TryTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries of a failed or timed-out storage request (exponential back-off). Default 3.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>
    /// Whether the app creates its containers, tables and queues at start (default true). Infra creates them too: set
    /// false there to save the calls on every cold start.
    /// </summary>
    public bool ProvisionAtStart { get; set; } = true;
}
