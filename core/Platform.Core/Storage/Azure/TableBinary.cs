using System.Globalization;
using Azure.Data.Tables;

namespace Platform.Core.Storage.Azure;

/// <summary>Bytes larger than one table property (64 KiB of binary) kept in properties <c>D0</c>…<c>D14</c> of 64,000 bytes each.</summary>
internal static class TableBinary
{
    private const int PieceBytes = 64_000;
    private const int MaxPieces = 15;

    /// <summary>The most one entity holds this way (under the 1 MiB entity limit).</summary>
    public const int MaxBytes = PieceBytes * MaxPieces;

    public static void Write(TableEntity entity, ReadOnlySpan<byte> data)
    {
        if (data.Length > MaxBytes) throw new ArgumentException($"At most {MaxBytes} bytes fit one entity.", nameof(data));
        for (var piece = 0; piece * PieceBytes < data.Length; piece++)
        {
            entity["D" + piece.ToString(CultureInfo.InvariantCulture)] = data.Slice(piece * PieceBytes, Math.Min(PieceBytes, data.Length - piece * PieceBytes)).ToArray();
        }
    }

    public static byte[] Read(TableEntity entity)
    {
        using var data = new MemoryStream();
        for (var piece = 0; piece < MaxPieces; piece++)
        {
            if (entity.GetBinary("D" + piece.ToString(CultureInfo.InvariantCulture)) is not { } bytes) break;
            data.Write(bytes);
        }
        return data.ToArray();
    }
}
