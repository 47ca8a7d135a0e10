using System.Collections.Concurrent;

namespace Platform.Functions.Http;

/// <summary>Bounds the live streams one API key holds open on an instance (each polls storage while it is open).</summary>
public sealed class StreamGate
{
    /// <summary>Streams one key may hold open at once on one instance.</summary>
    public const int MaxStreamsPerKey = 10;

    private readonly ConcurrentDictionary<string, int> _open = new(StringComparer.Ordinal);

    /// <summary>Takes a slot for <paramref name="keyId"/>; false when it already holds the most.</summary>
    public bool TryEnter(string keyId)
    {
        while (true)
        {
            var held = _open.GetValueOrDefault(keyId);
            if (held >= MaxStreamsPerKey) return false;
            if (held == 0 ? _open.TryAdd(keyId, 1) : _open.TryUpdate(keyId, held + 1, held)) return true;
        }
    }

    /// <summary>Gives a slot back.</summary>
    public void Exit(string keyId) => _open.AddOrUpdate(keyId, 0, (_, held) => Math.Max(0, held - 1));
}
