namespace Platform.Core.Ingestion;

/// <summary>Reads a stream whole, refusing it (413) the moment it passes a limit, before the excess is kept.</summary>
public static class BoundedCopy
{
    /// <summary>All of <paramref name="source"/>, at most <paramref name="maxBytes"/>.</summary>
    /// <exception cref="PayloadTooLargeException">More than <paramref name="maxBytes"/>, with <paramref name="tooLarge"/> as its message.</exception>
    public static async Task<byte[]> ReadAllAsync(Stream source, int maxBytes, string tooLarge, CancellationToken cancellationToken, long? expectedLength = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        // Pre-sized from the declared length only up to 1 MiB: a client that promises 16 MiB and sends a byte holds no more.
        using var buffer = new MemoryStream(expectedLength is > 0 and var n && n <= maxBytes ? (int)Math.Min(n, 1024 * 1024) : 0);
        byte[] chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await source.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    throw new PayloadTooLargeException(tooLarge);
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
        }

        // The exact-size buffer is handed over as is; otherwise one copy trims it.
        return buffer.Capacity == buffer.Length ? buffer.GetBuffer() : buffer.ToArray();
    }

    /// <summary>
    /// <paramref name="compressed"/> gunzipped, at most <paramref name="maxBytes"/> of it (refused once past, before the
    /// excess is kept). <paramref name="what"/> names it in the errors ("body", "message").
    /// </summary>
    /// <exception cref="PayloadTooLargeException">It decompresses to more than <paramref name="maxBytes"/>.</exception>
    /// <exception cref="BadRequestException">It is not valid gzip.</exception>
    public static async Task<byte[]> ReadGzipAsync(Stream compressed, int maxBytes, string what, CancellationToken cancellationToken)
    {
        var gzip = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionMode.Decompress, leaveOpen: true);
        await using (gzip.ConfigureAwait(false))
        {
            try
            {
                return await ReadAllAsync(gzip, maxBytes, $"The {what} decompresses to more than {maxBytes} bytes.", cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException ex)
            {
                throw new BadRequestException($"The gzip {what} is malformed: {ex.Message}");
            }
        }
    }
}
