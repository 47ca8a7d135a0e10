namespace Platform.Core.Storage;

/// <summary>A store that needs its container or table to exist before first use.</summary>
public interface IProvisionedStore
{
    /// <summary>Creates what the store needs if it is missing; safe to call many times.</summary>
    Task EnsureCreatedAsync(CancellationToken cancellationToken);
}
