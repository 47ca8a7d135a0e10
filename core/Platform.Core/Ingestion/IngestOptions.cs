namespace Platform.Core.Ingestion;

/// <summary>Limits of every way data gets in, bound from <c>Platform:Ingest</c>.</summary>
public sealed class IngestOptions
{
    /// <summary>Configuration section.</summary>
    public const string SectionName = "Platform:Ingest";

    /// <summary>Largest request body, before and after decompression. Default 16 MiB.</summary>
    public int MaxRequestBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// The Functions host's request body limit (100 MB, <c>FUNCTIONS_REQUEST_BODY_SIZE_LIMIT</c>): the worker's own
    /// limit is raised to <see cref="MaxRequestBytes"/>, which may not pass this.
    /// </summary>
    public const int HostMaxRequestBytes = 100 * 1000 * 1000;

    /// <summary>The longest long-poll allowed: below the 230 s after which Azure's front end answers 504 itself.</summary>
    public static readonly TimeSpan LongestConsumeWait = TimeSpan.FromSeconds(200);

    /// <summary>Most records in one produce request. Default 10,000.</summary>
    public int MaxRecordsPerRequest { get; set; } = 10_000;

    /// <summary>
    /// Web page origins (<c>https://shop.example</c>) allowed to send to the beacon route from a browser (CORS); <c>*</c>
    /// allows any. Empty: the route serves clients that send no Origin (servers, scripts) only.
    /// </summary>
    public IList<string> BeaconOrigins { get; } = [];

    /// <summary>Longest long-poll wait of a consume request. Default 30 s.</summary>
    public TimeSpan MaxConsumeWait { get; set; } = TimeSpan.FromSeconds(30);
}
