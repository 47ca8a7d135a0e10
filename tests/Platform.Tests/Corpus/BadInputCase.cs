namespace Platform.Tests.Corpus;

/// <summary>One bad request: what it is, and the bytes and headers that make it.</summary>
/// <param name="Class">The class of bad input (wrong type, truncation, invalid UTF-8, ...), for the tally.</param>
/// <param name="Name">What exactly is wrong, for the failure message.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">Path and query.</param>
/// <param name="Body">The body, or none.</param>
/// <param name="ContentType">The Content-Type header, or none.</param>
/// <param name="ContentEncoding">The Content-Encoding header, or none.</param>
/// <param name="Otlp">An OTLP route: the answer is a google.rpc.Status in the request's encoding.</param>
public sealed record BadInputCase(string Class, string Name, HttpMethod Method, string Path, byte[]? Body, string? ContentType, string? ContentEncoding = null, bool Otlp = false)
{
    public override string ToString() => $"{Class}: {Method} {Path} [{ContentType}{(ContentEncoding is null ? string.Empty : "; " + ContentEncoding)}] {Name}";
}
