using System.Globalization;
using System.IO.Compression;
using ZstdSharp;

namespace Platform.Core.Log.Batches;

/// <summary>Compresses and decompresses batch payloads with the codec named in the header.</summary>
internal static class BatchCompression
{
    private const int ZstdLevel = 3;

    // Zstd contexts are costly to create and not thread-safe: one per thread.
    [ThreadStatic]
    private static Compressor? t_compressor;

    [ThreadStatic]
    private static Decompressor? t_decompressor;

    public static void Compress(CompressionCodec codec, ReadOnlySpan<byte> source, PooledBufferWriter destination)
    {
        switch (codec)
        {
            case CompressionCodec.None:
                destination.Write(source);
                break;
            case CompressionCodec.Gzip:
                using (var stream = new BufferWriterStream(destination))
                using (var gzip = new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true))
                {
                    gzip.Write(source);
                }

                break;
            case CompressionCodec.Zstd:
                t_compressor ??= new Compressor(ZstdLevel);
                Span<byte> target = destination.GetSpan(Compressor.GetCompressBound(source.Length));
                destination.Advance(t_compressor.Wrap(source, target));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(codec), codec, "Unknown compression codec.");
        }
    }

    public static void Decompress(CompressionCodec codec, ReadOnlyMemory<byte> source, Span<byte> destination)
    {
        try
        {
            int written;
            switch (codec)
            {
                case CompressionCodec.None:
                    source.Span.CopyTo(destination);
                    written = source.Length;
                    break;
                case CompressionCodec.Gzip:
                    using (var gzip = new GZipStream(new ReadOnlyMemoryStream(source), CompressionMode.Decompress))
                    {
                        written = gzip.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false);
                        if (gzip.ReadByte() >= 0)
                        {
                            written++;
                        }
                    }

                    break;
                case CompressionCodec.Zstd:
                    t_decompressor ??= new Decompressor();
                    written = t_decompressor.Unwrap(source.Span, destination);
                    break;
                default:
                    throw new CorruptBatchException(string.Create(CultureInfo.InvariantCulture, $"Unknown compression codec {(int)codec}."));
            }

            if (written != destination.Length)
            {
                throw new CorruptBatchException(string.Create(CultureInfo.InvariantCulture, $"Decompressed payload is {written} bytes; the header says {destination.Length}."));
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or ZstdException or ArgumentException)
        {
            throw new CorruptBatchException($"The {codec} payload cannot be decompressed: {ex.Message}", ex);
        }
    }
}
