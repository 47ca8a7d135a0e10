namespace Platform.Promql.Series;

/// <summary>Prometheus's staleness marker: a NaN with a fixed bit pattern that ends a series before the lookback does.</summary>
public static class StaleMarker
{
    /// <summary>The bit pattern Prometheus writes (<c>value.StaleNaN</c>).</summary>
    public const ulong Bits = 0x7ff0000000000002;

    /// <summary>The marker as a double.</summary>
    public static double Value => BitConverter.UInt64BitsToDouble(Bits);

    /// <summary>True when a value is the marker, not an ordinary NaN.</summary>
    public static bool Is(double value) => BitConverter.DoubleToUInt64Bits(value) == Bits;
}
