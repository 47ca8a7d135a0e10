namespace Platform.Promql.Parser;

/// <summary>A query that is not valid PromQL, or uses a part this engine does not support; the API answers 400 bad_data.</summary>
public sealed class PromqlParseException : Exception
{
    /// <summary>Creates the error with the position (0-based character offset) it refers to.</summary>
    public PromqlParseException(string message, int position) : base($"parse error at char {position + 1}: {message}") => Position = position;

    /// <summary>Creates the error.</summary>
    public PromqlParseException() : base("parse error") { }

    /// <summary>Creates the error.</summary>
    public PromqlParseException(string message) : base(message) { }

    /// <summary>Creates the error.</summary>
    public PromqlParseException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Where in the query the error is.</summary>
    public int Position { get; }
}
