namespace Platform.Core.Options;

/// <summary>Where the platform keeps its state, bound from <c>Platform:Storage</c>.</summary>
public sealed class StorageOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Platform:Storage";

    /// <summary>Azure Storage connection string (Azurite's in local runs). Without one, the account is reached with an identity (below).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The storage account's name, for identity-based access: services at <c>https://{name}.{blob|table|queue}.core.windows.net</c>.</summary>
    public string? AccountName { get; set; }

    /// <summary>The blob service URI (identity-based access; overrides <see cref="AccountName"/>, e.g. for sovereign clouds).</summary>
    public Uri? BlobServiceUri { get; set; }

    /// <summary>The table service URI (identity-based access).</summary>
    public Uri? TableServiceUri { get; set; }

    /// <summary>The queue service URI (identity-based access).</summary>
    public Uri? QueueServiceUri { get; set; }

    /// <summary>
    /// Client id of the user-assigned managed identity to use; without it, <c>DefaultAzureCredential</c> (a
    /// system-assigned identity, or a developer's sign-in).
    /// </summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>
    /// More storage accounts for segments, by label (lower-case letters and digits): new topics spread their partitions
    /// over the main account and these (the tables stay in the main account). A label, once used by a topic, must stay
    /// configured: partitions never move. Each entry takes ConnectionString, or AccountName / BlobServiceUri with
    /// ManagedIdentityClientId, like the main account.
    /// </summary>
    public Dictionary<string, StorageOptions> SegmentAccounts { get; } = new(StringComparer.Ordinal);

    /// <summary>True when the account is reached with a connection string (keys or SAS), false with an identity.</summary>
    public bool UsesConnectionString => !string.IsNullOrWhiteSpace(ConnectionString);

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
