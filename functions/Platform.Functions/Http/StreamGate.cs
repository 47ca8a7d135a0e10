namespace Platform.Functions.Http;

/// <summary>Bounds the live streams one API key holds open on an instance (each polls storage while it is open).</summary>
public sealed class StreamGate
{
    /// <summary>Streams one key may hold open at once on one instance.</summary>
    public const int MaxStreamsPerKey = 10;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _open = new(StringComparer.Ordinal);

    /// <summary>Takes a slot for <paramref name="keyId"/>; false when it already holds the most.</summary>
    public bool TryEnter(string keyId)
    {
        lock (_gate)
        {
            var held = _open.GetValueOrDefault(keyId);
            if (held >= MaxStreamsPerKey) return false;
            _open[keyId] = held + 1;
            return true;
        }
    }

    /// <summary>Gives a slot back.</summary>
    public void Exit(string keyId)
    {
        lock (_gate)
        {
            if (_open.TryGetValue(keyId, out var held) && held > 1) _open[keyId] = held - 1;
            else _open.Remove(keyId);
        }
    }

    /// <summary>Streams open for a key (for tests and diagnostics).</summary>
    public int Open(string keyId)
    {
        lock (_gate) return _open.GetValueOrDefault(keyId);
    }
}
