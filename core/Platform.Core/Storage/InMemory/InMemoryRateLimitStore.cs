using System.Globalization;

namespace Platform.Core.Storage.InMemory;

/// <summary>Rate limiter state in memory, versioned like the table.</summary>
public sealed class InMemoryRateLimitStore : IRateLimitStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (long ArrivalTime, string Version)> _state = new(StringComparer.Ordinal);
    private long _versions;

    /// <inheritdoc />
    public Task<(long? ArrivalTime, string? Version)> GetAsync(string key, CancellationToken cancellationToken)
    {
        lock (_gate) return Task.FromResult(_state.TryGetValue(key, out var s) ? ((long?)s.ArrivalTime, (string?)s.Version) : (null, null));
    }

    /// <inheritdoc />
    public Task<bool> TryPutAsync(string key, long arrivalTime, string? version, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var held = _state.TryGetValue(key, out var s) ? s.Version : null;
            if (held != version) return Task.FromResult(false);
            _state[key] = (arrivalTime, (++_versions).ToString(CultureInfo.InvariantCulture));
            return Task.FromResult(true);
        }
    }
}
