using Azure;

namespace Platform.Core.Storage.Azure;

/// <summary>The version of a table entity, for the next conditional write.</summary>
internal static class TableVersion
{
    /// <summary>
    /// The ETag as a version. A conditional write needs the version it read; without one it would silently become a
    /// blind write (<c>ETag.All</c>), so a missing ETag is an error, never a fallback.
    /// </summary>
    public static string Of(ETag? etag, string guarded) =>
        etag is { } e && !e.Equals(ETag.All) && e.ToString().Length > 0
            ? e.ToString()
            : throw new InvalidOperationException($"Table storage answered without an ETag; {guarded} cannot be guarded without one.");
}
