namespace Platform.Core.Log.Batches;

/// <summary>How a batch's payload is compressed; the number is written into the batch header.</summary>
public enum CompressionCodec : byte
{
    /// <summary>Stored as is.</summary>
    None = 0,

    /// <summary>RFC 1952 gzip.</summary>
    Gzip = 1,

    /// <summary>Zstandard (RFC 8878).</summary>
    Zstd = 2,
}
