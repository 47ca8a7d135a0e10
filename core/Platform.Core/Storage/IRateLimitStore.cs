namespace Platform.Core.Storage;

/// <summary>A rate limiter's state by key (the times of the last sends booked), written at its version.</summary>
public interface IRateLimitStore
{
    /// <summary>The stored times (oldest first) and their version, or (empty, null).</summary>
    Task<(long[] Recent, string? Version)> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>Writes the times at <paramref name="version"/> (null: only when there is none yet): false when it changed since.</summary>
    Task<bool> TryPutAsync(string key, long[] recent, string? version, CancellationToken cancellationToken);
}
