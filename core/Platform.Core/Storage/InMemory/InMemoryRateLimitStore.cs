using System.Globalization;

namespace Platform.Core.Storage.InMemory;

/// <summary>Rate limiter state in memory, versioned like the table.</summary>
public sealed class InMemoryRateLimitStore : IRateLimitStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (long[] Recent, string Version)> _state = new(StringComparer.Ordinal);
    private long _versions;

    /// <inheritdoc />
    public Task<(long[] Recent, string? Version)> GetAsync(string key, CancellationToken cancellationToken)
    {
        lock (_gate) return Task.FromResult(_state.TryGetValue(key, out var s) ? ((long[])s.Recent.Clone(), (string?)s.Version) : ([], null));
    }

    /// <inheritdoc />
    public Task<bool> TryPutAsync(string key, long[] recent, string? version, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var held = _state.TryGetValue(key, out var s) ? s.Version : null;
            if (held != version) return Task.FromResult(false);
            _state[key] = ((long[])recent.Clone(), (++_versions).ToString(CultureInfo.InvariantCulture));
            return Task.FromResult(true);
        }
    }
}
