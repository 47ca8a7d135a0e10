namespace Platform.Promql.Engine;

/// <summary>A query that failed: its Prometheus error type and message.</summary>
public sealed class QueryException : Exception
{
    /// <summary>Creates the error.</summary>
    public QueryException(QueryErrorType errorType, string message) : base(message) => ErrorType = errorType;

    /// <summary>Creates the error.</summary>
    public QueryException() : base("query failed") { }

    /// <summary>Creates the error.</summary>
    public QueryException(string message) : base(message) { }

    /// <summary>Creates the error.</summary>
    public QueryException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The Prometheus error type.</summary>
    public QueryErrorType ErrorType { get; } = QueryErrorType.Execution;
}
