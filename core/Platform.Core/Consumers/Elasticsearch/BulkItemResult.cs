namespace Platform.Core.Consumers.Elasticsearch;

/// <summary>One document to create.</summary>
public sealed record BulkDocument(string Index, string Id, System.Text.Json.Nodes.JsonObject Source);

/// <summary>What Elasticsearch said of one bulk item.</summary>
public sealed record BulkItemResult(string Id, int Status, string? ErrorType, string? ErrorReason)
{
    /// <summary>Created, or created before (a redelivered record: its deterministic id already exists).</summary>
    public bool Done => Status is >= 200 and < 300 || (Status == 409 && ErrorType == "version_conflict_engine_exception");

    /// <summary>The error type of results made for every item of a _bulk call that was answered as a whole.</summary>
    public const string WholeCallType = "bulk_failed";

    /// <summary>Worth trying again: throttled, a server-side failure, or no answer at all.</summary>
    public bool Retriable => Status is 0 or 429 or >= 500;

    /// <summary>Elasticsearch refused the router's credentials or their privileges: a configuration problem, not the record's.</summary>
    public bool RefusedCredentials => Status is 401 or 403;

    /// <summary>The call was refused as a whole (no per-item answer), so which document caused it is unknown.</summary>
    public bool WholeCall => ErrorType == WholeCallType;
}

/// <summary>The <c>_bulk</c> call, behind a seam so the router can be tested against a protocol-faithful fake.</summary>
public interface IBulkIndexer
{
    /// <summary>Creates the documents (bulk <c>create</c> actions) and returns one result per document, in order.</summary>
    Task<IReadOnlyList<BulkItemResult>> CreateAsync(IReadOnlyList<BulkDocument> documents, CancellationToken cancellationToken);
}
