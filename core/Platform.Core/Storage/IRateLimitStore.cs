namespace Platform.Core.Storage;

/// <summary>A rate limiter's state by key (the theoretical arrival time of the generic cell rate algorithm), written at its version.</summary>
public interface IRateLimitStore
{
    /// <summary>The stored arrival time and its version, or (null, null).</summary>
    Task<(long? ArrivalTime, string? Version)> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>Writes the arrival time at <paramref name="version"/> (null: only when there is none yet): false when it changed since.</summary>
    Task<bool> TryPutAsync(string key, long arrivalTime, string? version, CancellationToken cancellationToken);
}
