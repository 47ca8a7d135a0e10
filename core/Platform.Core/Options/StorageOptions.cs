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
}
