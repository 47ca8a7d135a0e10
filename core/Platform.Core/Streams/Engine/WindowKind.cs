namespace Platform.Core.Streams.Engine;

/// <summary>How records fall into windows: tumbling, hopping, or sessions of a key.</summary>
public abstract record WindowKind
{
    /// <summary>Fixed windows of <paramref name="sizeMs"/>, one after another.</summary>
    public static WindowKind Tumbling(long sizeMs) => new Hopping(sizeMs, sizeMs);

    /// <summary>Windows of <paramref name="sizeMs"/> starting every <paramref name="advanceMs"/> (a record is in size/advance of them).</summary>
    public static WindowKind HoppingOf(long sizeMs, long advanceMs) => new Hopping(sizeMs, advanceMs);

    /// <summary>A key's records closer together than <paramref name="gapMs"/> form one window.</summary>
    public static WindowKind SessionOf(long gapMs) => new Session(gapMs);

    /// <summary>Fixed-size windows (tumbling when the advance is the size).</summary>
    public sealed record Hopping(long SizeMs, long AdvanceMs) : WindowKind
    {
        /// <summary>The starts of the windows that hold time <paramref name="t"/>, earliest first.</summary>
        public IEnumerable<long> Starts(long t)
        {
            long last = t - Mod(t, AdvanceMs);
            long first = last - ((SizeMs - 1) / AdvanceMs * AdvanceMs);
            for (long s = first; s <= last; s += AdvanceMs)
            {
                if (t < s + SizeMs) yield return s;
            }
        }

        private static long Mod(long a, long b) => ((a % b) + b) % b;
    }

    /// <summary>Session windows.</summary>
    public sealed record Session(long GapMs) : WindowKind;
}
