namespace Platform.Promql.Engine;

/// <summary>The Prometheus API's error types.</summary>
public enum QueryErrorType
{
    /// <summary>The query or a parameter is invalid (HTTP 400).</summary>
    BadData,
    /// <summary>The query ran past its timeout (HTTP 503).</summary>
    Timeout,
    /// <summary>The query is valid but failed while evaluating (HTTP 422), e.g. many-to-many matching or too many samples.</summary>
    Execution,
    /// <summary>The query was cancelled by the caller (HTTP 503).</summary>
    Canceled,
}
