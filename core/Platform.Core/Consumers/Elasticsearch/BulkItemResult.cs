namespace Platform.Core.Consumers.Elasticsearch;

/// <summary>One document to create.</summary>
public sealed record BulkDocument(string Index, string Id, System.Text.Json.Nodes.JsonObject Source);

/// <summary>What Elasticsearch said of one bulk item.</summary>
public sealed record BulkItemResult(string Id, int Status, string? ErrorType, string? ErrorReason)
{
    /// <summary>Created, or created before (a redelivered record: its deterministic id already exists).</summary>
    public bool Done => Status is >= 200 and < 300 || (Status == 409 && ErrorType == "version_conflict_engine_exception");

    /// <summary>Worth trying again: throttled or a server-side failure.</summary>
    public bool Retriable => Status is 429 or >= 500;
}

/// <summary>The <c>_bulk</c> call, behind a seam so the router can be tested against a protocol-faithful fake.</summary>
public interface IBulkIndexer
{
    /// <summary>Creates the documents (bulk <c>create</c> actions) and returns one result per document, in order.</summary>
    Task<IReadOnlyList<BulkItemResult>> CreateAsync(IReadOnlyList<BulkDocument> documents, CancellationToken cancellationToken);
}
